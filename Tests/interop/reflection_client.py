"""Server reflection checked with grpcio-reflection, the client grpcurl-like Python tools use,
against civicgridd's gRPC/HTTP/2 listener (docs/INTEROP.md).

- v1alpha (what grpcio-reflection's ProtoReflectionDescriptorDatabase speaks): list_services
  names exactly the services the server serves; every service declared in the given .proto
  files resolves through file_containing_symbol, and so does every method's input and output
  type, with no local descriptors.
- v1: the same list and a file by symbol. grpcio-reflection ships v1alpha stubs only; v1's
  messages are v1alpha's field for field, so v1 is called by its method path with them.
- Unknown names answer NOT_FOUND in error_response.

Prints one line per failure and a closing "reflection: N passed, M failed"; exits 1 if
anything failed.
"""

import argparse
import re
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool
from grpc_reflection.v1alpha import reflection_pb2 as alpha
from grpc_reflection.v1alpha import reflection_pb2_grpc as alpha_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

CALL_TIMEOUT = 30.0
NOT_FOUND = grpc.StatusCode.NOT_FOUND.value[0]


def declared_services(paths):
    """Full names of the services the .proto files declare ("package.Service")."""
    names = []
    for path in paths:
        text = open(path, encoding="utf-8").read()
        package = re.search(r"^package\s+([\w.]+)\s*;", text, re.M)
        prefix = package.group(1) + "." if package else ""
        names += [prefix + name for name in re.findall(r"^service\s+(\w+)", text, re.M)]
    return sorted(names)


def ask(call, request):
    return next(iter(call(iter([request]), timeout=CALL_TIMEOUT)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True, help="HOST:PORT of the gRPC/HTTP/2 listener")
    parser.add_argument("--served", required=True, help="comma-separated services the server must list")
    parser.add_argument("protos", nargs="+", help="the .proto files whose services must resolve")
    args = parser.parse_args()
    served = sorted(args.served.split(","))

    passed = failed = 0

    def check(condition, what):
        nonlocal passed, failed
        if condition:
            passed += 1
        else:
            failed += 1
            print(f"reflection: FAILED {what}", flush=True)

    with grpc.insecure_channel(args.server) as channel:
        database = ProtoReflectionDescriptorDatabase(channel)
        listed = sorted(database.get_services())
        check(listed == served, f"v1alpha list_services: {listed} != {served}")

        pool = descriptor_pool.DescriptorPool(database)
        for name in declared_services(args.protos):
            try:
                service = pool.FindServiceByName(name)
            except KeyError as error:
                check(False, f"{name} does not resolve: {error}")
                continue
            check(len(service.methods) > 0, f"{name} has no methods")
            for method in service.methods:
                for role, message in (("input", method.input_type), ("output", method.output_type)):
                    try:
                        resolved = pool.FindMessageTypeByName(message.full_name)
                        check(resolved.full_name == message.full_name, f"{method.full_name} {role}")
                    except KeyError as error:
                        check(False, f"{method.full_name} {role} type {message.full_name}: {error}")

        v1_call = channel.stream_stream(
            "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
            request_serializer=alpha.ServerReflectionRequest.SerializeToString,
            response_deserializer=alpha.ServerReflectionResponse.FromString,
        )
        answer = ask(v1_call, alpha.ServerReflectionRequest(list_services=""))
        v1_listed = sorted(service.name for service in answer.list_services_response.service)
        check(v1_listed == served, f"v1 list_services: {v1_listed} != {served}")
        answer = ask(v1_call, alpha.ServerReflectionRequest(file_containing_symbol="civicgrid.v1.Diagnostics.UnaryCall"))
        names = [descriptor_pb2.FileDescriptorProto.FromString(raw).name
                 for raw in answer.file_descriptor_response.file_descriptor_proto]
        check(names[:1] == ["civicgrid/v1/diagnostics.proto"], f"v1 file_containing_symbol: {names}")

        alpha_call = alpha_grpc.ServerReflectionStub(channel).ServerReflectionInfo
        for request in (
            alpha.ServerReflectionRequest(file_containing_symbol="civicgrid.v1.NoSuchThing"),
            alpha.ServerReflectionRequest(file_by_filename="no/such.proto"),
            alpha.ServerReflectionRequest(all_extension_numbers_of_type="civicgrid.v1.NoSuchMessage"),
        ):
            answer = ask(alpha_call, request)
            check(answer.error_response.error_code == NOT_FOUND, f"NOT_FOUND for {request}: {answer}")

    print(f"reflection: {passed} passed, {failed} failed", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
