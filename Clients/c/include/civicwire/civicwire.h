/* libcivicwire: a C client for the CivicWire protocol (docs/PROTOCOL.md). */
#ifndef CIVICWIRE_CIVICWIRE_H
#define CIVICWIRE_CIVICWIRE_H

#include "civicwire/call.h"
#include "civicwire/conn.h"
#include "civicwire/frame.h"
#include "civicwire/metadata.h"
#include "civicwire/status.h"
#include "civicwire/tls.h"
#include "civicwire/trace.h"
#include "civicwire/unary.h"

#endif
