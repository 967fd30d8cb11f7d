/// CivicDomain holds CivicGrid's rules as pure values: the working-day calendar and
/// deadline arithmetic, and (as they arrive) the case engine's state machines and the
/// catalogue. Nothing here does I/O; services persist these values through CivicStore.
public enum CivicDomain {}
