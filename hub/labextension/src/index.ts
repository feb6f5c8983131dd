/**
 * The live course in nbgrader's own Assignments tab (issue 23).
 *
 * nbgrader's assignment list (Nbgrader > Assignment List) draws one row per assignment in three lists: released,
 * downloaded (with Submit) and submitted (with Fetch Feedback). This plugin adds to each row of the course what the
 * grading service knows, from the student's own server (GET live-course/status, grader/live/handlers.py):
 *
 * - every row: the due date and the time left (or "late by ..."), attempts used and left;
 * - a downloaded row: "no attempts left" next to Submit, which is then disabled (the service refuses too);
 * - a submitted row: "grading…" from the click on Submit until the service has graded it, then the score (and,
 *   when the policy shows tests, each test cell's score with its named mistake), or "could not be graded: ...",
 *   and an "Open feedback" button: nbgrader's own fetch_feedback (its server API), then the feedback's HTML
 *   opened in JupyterLab. No page reload, no terminal.
 *
 * It polls every 1.5 s while a submission is queued or grading (or just submitted), every 15 s otherwise, and not
 * at all while the tab is closed or the page hidden. nbgrader redraws its rows on every refresh; a
 * MutationObserver on its three lists decorates the new rows at once from the last answer.
 *
 * A student of several courses on one hub gets one view per course (the endpoint's `courses`); nbgrader shows one
 * course at a time (its course menu), and each row is decorated from the view of the course the row names.
 */

import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

const PLUGIN_ID = '@optimization-setup/live-course:assignment-status';
const OPEN_ASSIGNMENT_LIST = 'nbgrader:open-assignment-list';
const WIDGET_ID = 'nbgrader-assignment-list';
const LISTS = ['released_assignments_list', 'fetched_assignments_list', 'submitted_assignments_list'];
const FAST_MS = 1500;
const SLOW_MS = 15000;
/** how long after a click on Submit the row says "grading…" before the service has recorded the submission */
const EXPECT_MS = 120000;

/** grader/live/handlers.py's AssignmentPolicy, TestResult, Submission, StudentStatus, AssignmentView, LiveView */
interface Policy {
  feedback: 'on-submit' | 'after-due-date' | 'manual';
  show: 'tests' | 'score';
  attempts: number | null;
  attempts_per_day: number | null;
  due: string | null;
  late_penalty: string | null;
}
interface TestResult {
  cell: string;
  score: number;
  max_score: number;
  mistake: string | null;
}
interface Submission {
  arrived: string;
  state: 'queued' | 'grading' | 'graded' | 'ungradable' | 'refused';
  score: number | null;
  max_score: number | null;
  late_penalty: number;
  message: string | null;
  tests: TestResult[];
  feedback: boolean;
}
interface Status {
  due: string | null;
  attempts_used: number;
  attempts_left: number | null;
  submissions: Submission[];
  updated: string;
}
interface AssignmentView {
  id: string;
  /** the course of the view it came in (set here, not by the server) */
  course: string;
  policy: Policy | null;
  state: 'not-submitted' | 'ok' | 'error';
  status: Status | null;
  error: string | null;
}
interface LiveView {
  live: boolean;
  course: string;
  student: string;
  now: string;
  assignments: AssignmentView[];
  reason: string | null;
}
/** grader/live/handlers.py's StudentView: one LiveView per course of the student */
interface StudentView {
  student: string;
  now: string;
  courses: LiveView[];
  reason: string | null;
}

/** A key of one assignment of one course (an assignment id may be in several courses). */
function keyOf(course: string, id: string): string {
  return `${course}\n${id}`;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

/** "2 d 3 h", "3 h 5 min", "4 min", "less than a minute" */
export function duration(ms: number): string {
  const minutes = Math.floor(Math.abs(ms) / 60000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) {
    return hours ? `${days} d ${hours} h` : `${days} d`;
  }
  if (hours > 0) {
    return mins ? `${hours} h ${mins} min` : `${hours} h`;
  }
  return mins > 0 ? `${mins} min` : 'less than a minute';
}

function when(iso: string): string {
  return new Date(iso).toLocaleString(undefined, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short'
  });
}

/** "could not be graded: <reason>", whether or not the service's message already starts with the words */
function prefixed(words: string, message: string | null): string {
  if (!message) {
    return `${words}: no reason given`;
  }
  return message.toLowerCase().startsWith(words) ? message : `${words}: ${message}`;
}

function points(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** The student's view of one assignment, drawn into the rows nbgrader draws. */
class LiveCourse {
  private view: StudentView | null = null;
  private error: string | null = null;
  private skewMs = 0;
  private polled = 0;
  private timer: number | null = null;
  private observer: MutationObserver | null = null;
  private host: HTMLElement | null = null;
  /**
   * keyOf(course, assignment) -> [time of the click on Submit, submissions the service had recorded then,
   * submissions nbgrader listed then]: "grading…" once nbgrader lists one more (its submit succeeded) until the
   * service records it
   */
  private expecting = new Map<string, [number, number, number]>();

  constructor(private app: JupyterFrontEnd) {}

  /** Attach to nbgrader's assignment list when it is open; called whenever it may have opened. */
  attach(): void {
    const host = document.getElementById(WIDGET_ID);
    if (!host || host === this.host) {
      this.schedule(0);
      return;
    }
    this.host = host;
    this.observer?.disconnect();
    // nbgrader redrew its rows (a refresh, a fetch, a submit): decorate them, and ask the service again
    this.observer = new MutationObserver(() => {
      this.render();
      if (Date.now() - this.polled > FAST_MS) {
        this.schedule(0);
      }
    });
    for (const id of LISTS) {
      const list = host.querySelector(`#${id}`);
      if (list) {
        this.observer.observe(list, { childList: true });
      }
    }
    // A click on nbgrader's Submit: "grading…" at once, and fast polling until the service records it.
    host.addEventListener(
      'click',
      event => {
        const button = (event.target as HTMLElement).closest('button');
        const row = button?.closest(`#fetched_assignments_list > .list_item`);
        if (!button || !row || button.textContent?.trim() !== 'Submit') {
          return;
        }
        const id = this.assignmentOf(row as HTMLElement);
        const course = this.courseOf(row as HTMLElement);
        if (id && course) {
          const known = this.find(course, id)?.status?.submissions.length ?? 0;
          this.expecting.set(keyOf(course, id), [Date.now(), known, this.listed(course, id)]);
          this.render();
          this.schedule(FAST_MS);
        }
      },
      true
    );
    this.schedule(0);
  }

  /** How many submissions of `id` in `course` nbgrader's submitted list shows (its rows below the assignment's). */
  private listed(course: string, id: string): number {
    const rows = this.host?.querySelectorAll<HTMLElement>('#submitted_assignments_list > .list_item') ?? [];
    for (const row of rows) {
      if (this.assignmentOf(row) === id && this.courseOf(row) === course) {
        return row.querySelectorAll(':scope > .assignment-notebooks > .list_item > .col-md-12').length;
      }
    }
    return 0;
  }

  /** Submitted through nbgrader's button, and not yet recorded by the grading service. */
  private submitted(a: AssignmentView): boolean {
    const expected = this.expecting.get(keyOf(a.course, a.id));
    return expected !== undefined && this.listed(a.course, a.id) > expected[2];
  }

  /** Every assignment of every live course of the last answer. */
  private assignments(): AssignmentView[] {
    return (this.view?.courses ?? []).filter(c => c.live).flatMap(c => c.assignments);
  }

  private find(course: string, id: string): AssignmentView | undefined {
    return this.assignments().find(a => a.course === course && a.id === id);
  }

  private visible(): boolean {
    return !!this.host && this.host.isConnected && document.visibilityState === 'visible';
  }

  private schedule(ms: number): void {
    if (this.timer !== null) {
      window.clearTimeout(this.timer);
    }
    this.timer = window.setTimeout(() => void this.poll(), ms);
  }

  private busy(): boolean {
    const now = Date.now();
    for (const [key, [since, known]] of this.expecting) {
      const [course, id] = key.split('\n');
      const count = this.find(course, id)?.status?.submissions.length ?? 0;
      if (count > known || now - since > EXPECT_MS) {
        this.expecting.delete(key);
      }
    }
    if (this.expecting.size > 0) {
      return true;
    }
    return this.assignments().some(a => {
      const last = a.status?.submissions[a.status.submissions.length - 1];
      return last !== undefined && (last.state === 'queued' || last.state === 'grading');
    });
  }

  private async poll(): Promise<void> {
    this.timer = null;
    this.polled = Date.now();
    if (!this.visible()) {
      // closed or hidden: stop; opening the tab again (attach) or showing the page resumes
      return;
    }
    const settings = this.app.serviceManager.serverSettings;
    try {
      const reply = await ServerConnection.makeRequest(
        URLExt.join(settings.baseUrl, 'live-course/status'),
        { cache: 'no-store' },
        settings
      );
      if (reply.status === 404) {
        // no live course on this server (an instructor's, or a laptop's): nothing to add, ever
        this.view = null;
        this.error = null;
        this.observer?.disconnect();
        return;
      }
      if (!reply.ok) {
        throw new Error(`HTTP ${reply.status}`);
      }
      const view = (await reply.json()) as StudentView;
      for (const course of view.courses) {
        course.assignments.forEach(a => (a.course = course.course));
      }
      this.skewMs = new Date(view.now).getTime() - Date.now();
      this.view = view;
      this.error = null;
    } catch (reason) {
      this.error = `grading status unavailable (${reason})`;
    }
    this.render();
    this.schedule(this.busy() ? FAST_MS : SLOW_MS);
  }

  private assignmentOf(row: HTMLElement): string | null {
    const name = row.querySelector(':scope > .col-md-12 > .item_name > :first-child');
    return name?.textContent?.trim() || null;
  }

  private courseOf(row: HTMLElement): string | null {
    return row.querySelector(':scope > .col-md-12 > .item_course')?.textContent?.trim() || null;
  }

  /** Decorate every row of the course in nbgrader's three lists from the last answer. */
  render(): void {
    if (!this.host) {
      return;
    }
    const toolbar = this.host.querySelector('#assignments_toolbar');
    let banner = this.host.querySelector<HTMLElement>('.live-course-banner');
    if (!banner && toolbar) {
      banner = el('div', 'live-course-banner');
      toolbar.after(banner);
    }
    if (banner) {
      const reason = this.error ?? this.reason();
      banner.textContent = reason ?? '';
      banner.hidden = !reason;
    }
    if (this.assignments().length === 0) {
      this.host.querySelectorAll('.live-course-status, .live-course-submit-note').forEach(n => n.remove());
      return;
    }
    for (const listId of LISTS) {
      const rows = this.host.querySelectorAll<HTMLElement>(`#${listId} > .list_item`);
      rows.forEach(row => {
        const id = this.assignmentOf(row);
        const course = this.courseOf(row);
        const assignment = id && course ? this.find(course, id) : undefined;
        if (!assignment) {
          return;
        }
        this.decorate(row, listId, assignment);
      });
    }
  }

  /** Why the course shown has no live status (its view's reason; the only course's when there is one), or null. */
  private reason(): string | null {
    if (!this.view) {
      return null;
    }
    const courses = this.view.courses;
    if (courses.length === 0) {
      return this.view.reason;
    }
    const shown = this.host?.querySelector('#course_list_default')?.textContent?.trim();
    const view = courses.length === 1 ? courses[0] : courses.find(c => c.course === shown);
    return view && !view.live ? view.reason : null;
  }

  private decorate(row: HTMLElement, listId: string, a: AssignmentView): void {
    const line = row.querySelector(':scope > .col-md-12');
    if (!line) {
      return;
    }
    let box = row.querySelector<HTMLElement>(':scope > .live-course-status');
    if (!box) {
      box = el('div', 'live-course-status');
      box.dataset.assignment = a.id;
      line.after(box);
    }
    box.replaceChildren(...this.describe(a, listId === 'submitted_assignments_list'));
    if (listId === 'fetched_assignments_list') {
      this.submitNote(row, a);
    }
  }

  /** Downloaded row: "no attempts left" next to Submit, which is disabled then. */
  private submitNote(row: HTMLElement, a: AssignmentView): void {
    const cell = row.querySelector<HTMLElement>(':scope > .col-md-12 > .item_status');
    const button = cell?.querySelector('button');
    if (!cell || !button) {
      return;
    }
    let note = cell.querySelector<HTMLElement>('.live-course-submit-note');
    const none = a.status?.attempts_left === 0;
    if (none) {
      if (!note) {
        note = el('span', 'live-course-submit-note');
        cell.append(note);
      }
      const used = a.status!.attempts_used;
      note.textContent = `no attempts left (${used} of ${used} used)`;
      button.disabled = true;
      button.title = 'You have used every graded attempt of this assignment.';
    } else if (note) {
      note.remove();
      button.disabled = false;
      button.title = '';
    }
  }

  private describe(a: AssignmentView, full: boolean): HTMLElement[] {
    const parts: HTMLElement[] = [];
    if (a.state === 'error' || !a.policy) {
      parts.push(el('div', 'live-course-error', `grading status unavailable: ${a.error ?? 'no policy'}`));
      return parts;
    }
    const policy = a.policy;
    const status = a.status;
    // graded by hand (nbgrader's way) and nothing recorded: the due date alone, when there is one
    const byHand = policy.feedback === 'manual' && !status && policy.attempts === null;
    if (byHand && !policy.due) {
      return parts;
    }
    const summary = el('div', 'live-course-summary');
    const due = status?.due ?? policy.due;
    if (due) {
      const left = new Date(due).getTime() - (Date.now() + this.skewMs);
      summary.append(el('span', 'live-course-due', `Due ${when(due)}`));
      summary.append(
        left >= 0
          ? el('span', 'live-course-left', `${duration(left)} left`)
          : el('span', 'live-course-late', `late by ${duration(left)}`)
      );
    } else {
      summary.append(el('span', 'live-course-due', 'No due date'));
    }
    if (byHand) {
      parts.push(summary);
      return parts;
    }
    const used = status?.attempts_used ?? 0;
    let attempts = `Attempts: ${used} used`;
    const left = status ? status.attempts_left : policy.attempts;
    attempts += left === null ? ', no limit' : `, ${left} left`;
    if (policy.attempts_per_day !== null) {
      attempts += ` (at most ${policy.attempts_per_day} a day)`;
    }
    summary.append(el('span', 'live-course-attempts', attempts));
    if (policy.late_penalty) {
      summary.append(el('span', 'live-course-penalty', `Late: ${policy.late_penalty}`));
    }
    parts.push(summary);
    if (!full) {
      return parts;
    }
    const last = status?.submissions[status.submissions.length - 1];
    const submitted = this.submitted(a);
    if (submitted || (last && (last.state === 'queued' || last.state === 'grading'))) {
      const what = last?.state === 'queued' && !submitted ? ' (waiting in the queue)' : '';
      parts.push(el('div', 'live-course-grading', `grading…${what}`));
      return parts;
    }
    if (!last) {
      return parts;
    }
    if (last.state === 'graded') {
      parts.push(...this.graded(a, last));
      return parts;
    }
    if (last.state === 'ungradable') {
      parts.push(el('div', 'live-course-ungradable', prefixed('could not be graded', last.message)));
    } else if (last.state === 'refused') {
      parts.push(el('div', 'live-course-refused', prefixed('refused', last.message)));
    }
    // the grade that stands: her latest graded submission, with its feedback
    const earlier = status!.submissions.filter(s => s.state === 'graded').pop();
    if (earlier) {
      parts.push(el('div', 'live-course-note', `Your graded submission of ${when(earlier.arrived)}:`));
      parts.push(...this.graded(a, earlier));
    }
    return parts;
  }

  private graded(a: AssignmentView, last: Submission): HTMLElement[] {
    const parts: HTMLElement[] = [];
    const score = el('div', 'live-course-score');
    if (last.score !== null) {
      const max = last.max_score !== null ? ` / ${points(last.max_score)}` : '';
      score.textContent = `Score: ${points(last.score)}${max}`;
      if (last.late_penalty > 0) {
        score.textContent += ` (late penalty −${points(last.late_penalty)})`;
      }
    } else {
      score.textContent = 'Graded';
    }
    parts.push(score);
    if (a.policy!.show === 'tests' && last.tests.length > 0) {
      const list = el('ul', 'live-course-tests');
      for (const test of last.tests) {
        const item = el('li', test.score < test.max_score ? 'live-course-test-failed' : 'live-course-test-passed');
        item.append(el('span', 'live-course-test-cell', test.cell));
        item.append(el('span', 'live-course-test-score', `${points(test.score)} / ${points(test.max_score)}`));
        if (test.mistake) {
          item.append(el('span', 'live-course-mistake', `Mistake: ${test.mistake}`));
        }
        list.append(item);
      }
      parts.push(list);
    }
    if (last.feedback) {
      const button = el('button', 'btn btn-default btn-xs live-course-open-feedback', 'Open feedback');
      button.onclick = () => void this.openFeedback(a, button);
      parts.push(button);
    } else if (a.policy!.feedback === 'after-due-date') {
      parts.push(el('div', 'live-course-note', 'Feedback after the due date'));
    } else if (a.policy!.feedback === 'manual') {
      parts.push(el('div', 'live-course-note', 'Feedback when your instructor releases it'));
    }
    return parts;
  }

  /** nbgrader's own fetch_feedback (its assignment-list server API), then the newest feedback page in JupyterLab. */
  private async openFeedback(a: AssignmentView, button: HTMLButtonElement): Promise<void> {
    const { course, id } = a;
    const settings = this.app.serviceManager.serverSettings;
    button.disabled = true;
    button.textContent = 'Fetching feedback…';
    try {
      const reply = await ServerConnection.makeRequest(
        URLExt.join(settings.baseUrl, 'assignments/fetch_feedback'),
        { method: 'POST', body: JSON.stringify({ course_id: course, assignment_id: id }) },
        settings
      );
      const answer = await reply.json();
      if (!reply.ok || !answer.success) {
        throw new Error(typeof answer.value === 'string' ? answer.value.split('\n').slice(-2).join(' ') : `HTTP ${reply.status}`);
      }
      const entry = (answer.value as any[]).find(
        x => x.status === 'submitted' && x.assignment_id === id && x.course_id === course
      );
      const submissions = ((entry?.submissions ?? []) as any[]).filter(s => s.has_local_feedback);
      const newest = submissions[submissions.length - 1];
      if (!newest) {
        throw new Error('no feedback was fetched');
      }
      for (const notebook of newest.notebooks as any[]) {
        if (notebook.has_local_feedback) {
          await this.app.commands.execute('docmanager:open', {
            path: `${newest.local_feedback_path}/${notebook.notebook_id}.html`,
            factory: 'HTML Viewer'
          });
        }
      }
      // nbgrader's own rows then show "(view feedback)" too
      this.host?.querySelector<HTMLButtonElement>('#refresh_assignments_list')?.click();
      button.textContent = 'Open feedback';
    } catch (reason) {
      button.textContent = `Open feedback (failed: ${reason})`;
    } finally {
      button.disabled = false;
    }
  }
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: "Due dates, attempts, grading and feedback of the live course in nbgrader's Assignments tab.",
  autoStart: true,
  activate: (app: JupyterFrontEnd) => {
    const live = new LiveCourse(app);
    // nbgrader's tab opens through its command (the menu, the palette, and the layout restorer alike)
    app.commands.commandExecuted.connect((_, args) => {
      if (args.id === OPEN_ASSIGNMENT_LIST) {
        void args.result.then(() => live.attach());
      }
    });
    document.addEventListener('visibilitychange', () => live.attach());
    void app.restored.then(() => live.attach());
  }
};

export default plugin;
