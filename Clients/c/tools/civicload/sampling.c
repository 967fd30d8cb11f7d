#include "sampling.h"

void sampler_init(sampler *s, double ratio, uint64_t seed) {
    s->state = seed;
    s->ratio = ratio;
}

bool sampler_next(sampler *s) {
    if (s->ratio <= 0) return false;
    if (s->ratio >= 1) return true;
    uint64_t z = (s->state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    /* The top 53 bits as a uniform double in [0, 1). */
    return (double)(z >> 11) * 0x1.0p-53 < s->ratio;
}
