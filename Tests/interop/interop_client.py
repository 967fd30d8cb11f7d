"""gRPC's interop cases (grpc/doc/interop-test-descriptions.md) run by grpcio, the C-core
client, against civicgridd's gRPC/HTTP/2 listener.

The server side is civicgrid.v1.Diagnostics, CivicGrid's adaptation of grpc.testing.TestService
(Protos/civicgrid/v1/diagnostics.proto): the same calls and messages, the echo metadata keys
are "x-civic-initial" and "x-civic-trailing-bin", and civicgrid.v1.Unimplemented is the
service no server registers. ops/interop generates the Python stubs and runs this file.

Every case checks the status the descriptions name. Prints one line per failure and a
closing "interop: N passed, M failed"; exits 1 if anything failed.
"""

import argparse
import queue
import sys
import time

import grpc

from civicgrid.v1 import diagnostics_pb2 as messages
from civicgrid.v1 import diagnostics_pb2_grpc as services

# Every call is bounded: a hung case fails, it does not hang the run.
CALL_TIMEOUT = 30.0
SPECIAL_MESSAGE = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n"


class CaseFailure(Exception):
    pass


def expect(condition, what):
    if not condition:
        raise CaseFailure(what)


def expect_code(error, code, what):
    expect(isinstance(error, grpc.RpcError), f"{what}: expected {code.name}, got {error!r}")
    expect(error.code() == code, f"{what}: expected {code.name}, got {error.code().name}: {error.details()!r}")


def payload(size):
    return messages.Payload(body=bytes(size))


class Pipe:
    """A request iterator the case feeds by hand (as grpc's own Python interop client does)."""

    def __init__(self):
        self._items = queue.Queue()

    def add(self, item):
        self._items.put(item)

    def close(self):
        self._items.put(None)

    def __iter__(self):
        return self

    def __next__(self):
        item = self._items.get(timeout=CALL_TIMEOUT)
        if item is None:
            raise StopIteration
        return item


def output_request(sizes, request_size=0, status=None):
    request = messages.StreamingOutputCallRequest(
        response_parameters=[messages.ResponseParameters(size=size) for size in sizes],
        payload=payload(request_size),
    )
    if status is not None:
        request.response_status.CopyFrom(status)
    return request


def empty_unary(stub, _):
    response = stub.EmptyCall(messages.Empty(), timeout=CALL_TIMEOUT)
    expect(response == messages.Empty(), "empty_unary: response is not empty")


def large_unary(stub, _):
    request = messages.SimpleRequest(response_size=314159, payload=payload(271828))
    response = stub.UnaryCall(request, timeout=CALL_TIMEOUT)
    expect(response.payload.body == bytes(314159), "large_unary: response body is not 314159 zero bytes")


def client_streaming(stub, _):
    sizes = [27182, 8, 1828, 45904]
    requests = (messages.StreamingInputCallRequest(payload=payload(size)) for size in sizes)
    response = stub.StreamingInputCall(requests, timeout=CALL_TIMEOUT)
    expect(response.aggregated_payload_size == 74922, f"client_streaming: aggregated {response.aggregated_payload_size}")


def server_streaming(stub, _):
    sizes = [31415, 9, 2653, 58979]
    responses = stub.StreamingOutputCall(output_request(sizes), timeout=CALL_TIMEOUT)
    got = [len(response.payload.body) for response in responses]
    expect(got == sizes, f"server_streaming: got sizes {got}")


def ping_pong(stub, _):
    request_sizes = [27182, 8, 1828, 45904]
    response_sizes = [31415, 9, 2653, 58979]
    pipe = Pipe()
    responses = stub.FullDuplexCall(pipe, timeout=CALL_TIMEOUT)
    for request_size, response_size in zip(request_sizes, response_sizes):
        pipe.add(output_request([response_size], request_size))
        response = next(responses)
        expect(len(response.payload.body) == response_size, f"ping_pong: got {len(response.payload.body)} bytes")
    pipe.close()
    expect(next(responses, None) is None, "ping_pong: more responses than requests")
    expect(responses.code() == grpc.StatusCode.OK, f"ping_pong: status {responses.code().name}")


def empty_stream(stub, _):
    responses = stub.FullDuplexCall(iter([]), timeout=CALL_TIMEOUT)
    expect(list(responses) == [], "empty_stream: got responses")
    expect(responses.code() == grpc.StatusCode.OK, f"empty_stream: status {responses.code().name}")


def custom_metadata(stub, _):
    initial = ("x-civic-initial", "test_initial_metadata_value")
    trailing = ("x-civic-trailing-bin", b"\xab\xab\xab")
    metadata = (initial, trailing)

    request = messages.SimpleRequest(response_size=314159, payload=payload(271828))
    _, call = stub.UnaryCall.with_call(request, metadata=metadata, timeout=CALL_TIMEOUT)
    expect(initial in call.initial_metadata(), f"custom_metadata: unary leading {call.initial_metadata()}")
    expect(trailing in call.trailing_metadata(), f"custom_metadata: unary trailing {call.trailing_metadata()}")

    responses = stub.FullDuplexCall(iter([output_request([314159], 271828)]), metadata=metadata, timeout=CALL_TIMEOUT)
    got = [len(response.payload.body) for response in responses]
    expect(got == [314159], f"custom_metadata: bidi got {got}")
    expect(initial in responses.initial_metadata(), f"custom_metadata: bidi leading {responses.initial_metadata()}")
    expect(trailing in responses.trailing_metadata(), f"custom_metadata: bidi trailing {responses.trailing_metadata()}")


def status_code_and_message(stub, _):
    status = messages.EchoStatus(code=2, message="test status message")
    try:
        stub.UnaryCall(messages.SimpleRequest(response_status=status), timeout=CALL_TIMEOUT)
        raise CaseFailure("status_code_and_message: unary call succeeded")
    except grpc.RpcError as error:
        expect_code(error, grpc.StatusCode.UNKNOWN, "status_code_and_message (unary)")
        expect(error.details() == "test status message", f"status_code_and_message: unary details {error.details()!r}")
    responses = stub.FullDuplexCall(iter([output_request([], status=status)]), timeout=CALL_TIMEOUT)
    try:
        list(responses)
        raise CaseFailure("status_code_and_message: bidi call succeeded")
    except grpc.RpcError as error:
        expect_code(error, grpc.StatusCode.UNKNOWN, "status_code_and_message (bidi)")
        expect(error.details() == "test status message", f"status_code_and_message: bidi details {error.details()!r}")


def special_status_message(stub, _):
    status = messages.EchoStatus(code=2, message=SPECIAL_MESSAGE)
    try:
        stub.UnaryCall(messages.SimpleRequest(response_status=status), timeout=CALL_TIMEOUT)
        raise CaseFailure("special_status_message: call succeeded")
    except grpc.RpcError as error:
        expect_code(error, grpc.StatusCode.UNKNOWN, "special_status_message")
        expect(error.details() == SPECIAL_MESSAGE, f"special_status_message: details {error.details()!r}")


def unimplemented_method(stub, _):
    try:
        stub.UnimplementedCall(messages.Empty(), timeout=CALL_TIMEOUT)
        raise CaseFailure("unimplemented_method: call succeeded")
    except grpc.RpcError as error:
        expect_code(error, grpc.StatusCode.UNIMPLEMENTED, "unimplemented_method")


def unimplemented_service(_, channel):
    try:
        services.UnimplementedStub(channel).UnimplementedCall(messages.Empty(), timeout=CALL_TIMEOUT)
        raise CaseFailure("unimplemented_service: call succeeded")
    except grpc.RpcError as error:
        expect_code(error, grpc.StatusCode.UNIMPLEMENTED, "unimplemented_service")


def cancel_after_begin(stub, _):
    pipe = Pipe()
    future = stub.StreamingInputCall.future(pipe, timeout=CALL_TIMEOUT)
    future.cancel()
    pipe.close()
    expect(future.cancelled(), "cancel_after_begin: future not cancelled")
    expect(future.code() == grpc.StatusCode.CANCELLED, f"cancel_after_begin: status {future.code().name}")


def cancel_after_first_response(stub, _):
    pipe = Pipe()
    responses = stub.FullDuplexCall(pipe, timeout=CALL_TIMEOUT)
    pipe.add(output_request([31415], 27182))
    first = next(responses)
    expect(len(first.payload.body) == 31415, f"cancel_after_first_response: first response {len(first.payload.body)} bytes")
    responses.cancel()
    pipe.close()
    try:
        next(responses)
        raise CaseFailure("cancel_after_first_response: a response after cancel")
    except grpc.RpcError as error:
        expect_code(error, grpc.StatusCode.CANCELLED, "cancel_after_first_response")


def timeout_on_sleeping_server(stub, _):
    # As described: a bidi call with a 1 ms deadline that sends one 27182-byte request.
    pipe = Pipe()
    responses = stub.FullDuplexCall(pipe, timeout=0.001)
    pipe.add(output_request([], 27182))
    try:
        next(responses)
        raise CaseFailure("timeout_on_sleeping_server: got a response")
    except grpc.RpcError as error:
        expect_code(error, grpc.StatusCode.DEADLINE_EXCEEDED, "timeout_on_sleeping_server (bidi, 1 ms)")
    finally:
        pipe.close()
    # The server's side of it: the server sleeps 10 s, the deadline (0.5 s) passes there
    # first, and the status the server sends must be DEADLINE_EXCEEDED too.
    try:
        stub.UnaryCall(messages.SimpleRequest(sleep_micros=10_000_000), timeout=0.5)
        raise CaseFailure("timeout_on_sleeping_server: the sleeping call succeeded")
    except grpc.RpcError as error:
        expect_code(error, grpc.StatusCode.DEADLINE_EXCEEDED, "timeout_on_sleeping_server (unary, server sleeps)")


def concurrent_large_unary(stub, _):
    request = messages.SimpleRequest(response_size=314159, payload=payload(271828))
    calls = [stub.UnaryCall.future(request, timeout=CALL_TIMEOUT) for _ in range(100)]
    for call in calls:
        response = call.result()
        expect(len(response.payload.body) == 314159, f"concurrent_large_unary: {len(response.payload.body)} bytes")


def max_message_size(stub, _):
    # Not in the descriptions' list: a request over the server's max_message_size (4 MiB)
    # gets RESOURCE_EXHAUSTED naming the limit, and the channel stays usable.
    limit = 4 * 1024 * 1024
    try:
        stub.UnaryCall(messages.SimpleRequest(payload=payload(limit + 1)), timeout=CALL_TIMEOUT)
        raise CaseFailure("max_message_size: the oversize call succeeded")
    except grpc.RpcError as error:
        expect_code(error, grpc.StatusCode.RESOURCE_EXHAUSTED, "max_message_size")
        expect(str(limit) in (error.details() or ""), f"max_message_size: details {error.details()!r} do not name {limit}")
    response = stub.EmptyCall(messages.Empty(), timeout=CALL_TIMEOUT)
    expect(response == messages.Empty(), "max_message_size: the next call failed")


CASES = [
    empty_unary,
    large_unary,
    client_streaming,
    server_streaming,
    ping_pong,
    empty_stream,
    custom_metadata,
    status_code_and_message,
    special_status_message,
    unimplemented_method,
    unimplemented_service,
    cancel_after_begin,
    cancel_after_first_response,
    timeout_on_sleeping_server,
    concurrent_large_unary,
    max_message_size,
]


def open_channel(arguments):
    """A plaintext channel, or with --ca-file a TLS one (ALPN h2, the server's name checked)."""
    if not arguments.ca_file:
        return grpc.insecure_channel(arguments.server)

    def read(path):
        with open(path, "rb") as file:
            return file.read()

    credentials = grpc.ssl_channel_credentials(
        root_certificates=read(arguments.ca_file),
        private_key=read(arguments.key) if arguments.key else None,
        certificate_chain=read(arguments.cert) if arguments.cert else None,
    )
    return grpc.secure_channel(arguments.server, credentials)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True, help="HOST:PORT of the gRPC/HTTP/2 listener")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--label", default="", help="printed with every line (e.g. the build)")
    parser.add_argument("--ca-file", help="TLS: PEM CA certificates that issued the server's certificate")
    parser.add_argument("--cert", help="TLS: PEM client certificate (mutual TLS), with --key")
    parser.add_argument("--key", help="TLS: PEM private key of --cert")
    arguments = parser.parse_args()

    passed = failed = 0
    label = f" [{arguments.label}]" if arguments.label else ""
    # One channel for the whole run, as a partner's client would hold one.
    with open_channel(arguments) as channel:
        grpc.channel_ready_future(channel).result(timeout=CALL_TIMEOUT)
        stub = services.DiagnosticsStub(channel)
        for round_number in range(1, arguments.rounds + 1):
            started = time.monotonic()
            round_failed = 0
            for case in CASES:
                try:
                    case(stub, channel)
                    passed += 1
                except Exception as error:  # a failed case, an unexpected status, a broken connection
                    failed += 1
                    round_failed += 1
                    print(f"interop{label}: FAIL round {round_number} {case.__name__}: {error!r}", flush=True)
            print(
                f"interop{label}: round {round_number}: {len(CASES) - round_failed}/{len(CASES)} cases passed"
                f" ({time.monotonic() - started:.1f} s)",
                flush=True,
            )
    print(f"interop{label}: {passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
