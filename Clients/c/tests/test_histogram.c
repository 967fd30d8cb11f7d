#include "tests.h"
size_t histogram_tests(check_case *out) { (void)out; return 0; }
