/* civicload: a load generator for CivicWire servers. */
#include <signal.h>
#include <stdio.h>

#include "options.h"
#include "report.h"
#include "runner.h"

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    options o;
    int rc = options_parse(&o, argc, argv);
    if (rc != 0) {
        options_free(&o);
        return rc == 1 ? 0 : 2;
    }
    results r;
    rc = run_load(&o, &r);
    if (r.error[0]) fprintf(stderr, "civicload: %s\n", r.error);
    if (r.hist) report(stdout, &o, &r);
    results_free(&r);
    options_free(&o);
    return rc;
}
