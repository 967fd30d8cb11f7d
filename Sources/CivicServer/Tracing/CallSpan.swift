public import Tracing

/// The server span of the current call, for the steps inside the chain that learn something
/// worth recording on it (the caller, once authenticated: `CallSpanCallerInterceptor`).
/// `ServiceContext.current` carries the span's identity for children, not the span itself.
public enum CallSpan {
  @TaskLocal public static var current: (any Span)?
}
