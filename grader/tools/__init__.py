"""Tools beside the platform: the benchmarks (`bench`, `hubbench`), the example class (`demo`), the scenario fixtures' builder (`scenarios`), a temporary class on the hub (`hubclass`)."""
