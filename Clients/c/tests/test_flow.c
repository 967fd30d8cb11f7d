#include "tests.h"
size_t flow_tests(check_case *out) { (void)out; return 0; }
