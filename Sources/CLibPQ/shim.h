// libpq (apt: libpq-dev, pkg-config: libpq) for CivicStore.
#ifndef CIVICGRID_CLIBPQ_SHIM_H
#define CIVICGRID_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#include <poll.h>
#endif
