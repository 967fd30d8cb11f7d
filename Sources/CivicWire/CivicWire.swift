// The CivicWire product: the TCP transports here and the protocol core they are built on,
// so users import one module (as GRPCNIOTransportHTTP2 re-exports its Posix and core parts).
@_exported public import CivicWireCore
