#include "check.h"

int check_run(const check_case *cases, size_t n, const char *filter) {
    int passed = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        if (filter && strstr(cases[i].name, filter) == NULL) continue;
        check_ctx t = {.test = cases[i].name, .arg = cases[i].arg};
        cases[i].fn(&t);
        if (t.failures == 0) {
            passed++;
        } else {
            failed++;
            fprintf(stderr, "FAILED %s\n", cases[i].name);
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
