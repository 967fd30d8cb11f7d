/* civicload's report: text with a terminal histogram, JSON or CSV. */
#ifndef CIVICLOAD_REPORT_H
#define CIVICLOAD_REPORT_H

#include <stdio.h>

#include "options.h"
#include "runner.h"

void report(FILE *out, const options *o, const results *r);

#endif
