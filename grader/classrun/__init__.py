"""A class run: a class's submissions graded on Dask (intake, tasks on the workers, the gradebook merge, state, progress, scores, the report)."""
