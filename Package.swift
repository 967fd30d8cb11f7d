// swift-tools-version:6.1
import PackageDescription

/// One set of compiler settings for every target (see STYLE.md).
let swiftSettings: [SwiftSetting] = [
  .swiftLanguageMode(.v6),
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("InternalImportsByDefault"),
  .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
  name: "civicgrid",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "civicgridd", targets: ["civicgridd"]),
    .executable(name: "civicctl", targets: ["civicctl"]),
    .library(name: "CivicWire", targets: ["CivicWire"]),
  ],
  dependencies: [
    .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
    .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
    .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
    .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    // Named directly (grpc-swift-nio-transport brings it) for the HTTP/2 workaround in
    // CivicServer (docs/INTEROP.md) and its tests.
    .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
  ],
  targets: [
    // Generated swift-protobuf messages and grpc-swift-2 stubs; regenerate with ops/gen-protos.
    .target(
      name: "CivicProtos",
      dependencies: [
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      // The FileDescriptorSet of Protos/ (ops/gen-protos), read through ProtoDescriptors.
      resources: [.copy("civicgrid.binpb")],
      swiftSettings: [.swiftLanguageMode(.v6)]
    ),
    // The CivicWire framing protocol and its gRPC-Swift transports.
    .target(
      name: "CivicWire",
      dependencies: [
        "CivicProtos",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings
    ),
    // libpq, the PostgreSQL client library (apt: libpq-dev).
    .systemLibrary(
      name: "CLibPQ",
      pkgConfig: "libpq",
      providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
    ),
    // PostgreSQL access through libpq: pool, queries, transactions, migrations, notify.
    .target(
      name: "CivicStore",
      dependencies: [
        "CLibPQ",
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "Logging", package: "swift-log"),
      ],
      resources: [.copy("Migrations/SQL")],
      swiftSettings: swiftSettings
    ),
    // The rules, pure: working-day calendar and deadline arithmetic, the case engine's
    // state machines, the catalogue. No I/O; persisted through CivicStore by services.
    .target(
      name: "CivicDomain",
      swiftSettings: swiftSettings
    ),
    // The repositories: one per aggregate, owning its SQL (SQLQuery) and decoding rows into
    // domain values or plain records. Nothing of RPC or protobuf.
    .target(
      name: "CivicRepositories",
      dependencies: [
        "CivicStore",
        "CivicDomain",
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings
    ),
    // Service implementations (GRPCCore handlers) shared by the server and the tests, with
    // the authentication, authorization and audit every database-backed service goes through.
    .target(
      name: "CivicServices",
      dependencies: [
        "CivicProtos",
        "CivicRepositories",
        "CivicStore",
        "CivicDomain",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      swiftSettings: swiftSettings
    ),
    // Server assembly: configuration, listeners, metrics endpoint, lifecycle.
    .target(
      name: "CivicServer",
      dependencies: [
        "CivicWire",
        "CivicServices",
        "CivicProtos",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOHPACK", package: "swift-nio-http2"),
        .product(name: "NIOHTTP2", package: "swift-nio-http2"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
      ],
      swiftSettings: swiftSettings
    ),
    .executableTarget(
      name: "civicgridd",
      dependencies: [
        "CivicServer",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        "CivicStore",
        "CivicServices",
        "CivicProtos",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings
    ),
    .executableTarget(
      name: "civicctl",
      dependencies: [
        "CivicWire",
        "CivicProtos",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Clients/civicctl",
      swiftSettings: swiftSettings
    ),
    // civicctl's pure parts (tables, durations, names, the config file), through @testable import.
    .testTarget(
      name: "CivicctlTests",
      dependencies: [
        "civicctl",
        "CivicProtos",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      swiftSettings: swiftSettings
    ),
    // ops/bench/wire: CivicWire vs HTTP/2 vs in-process, built in release by the script.
    .executableTarget(
      name: "WireBench",
      dependencies: [
        "CivicWire",
        "CivicProtos",
        "CivicServices",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCInProcessTransport", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
      ],
      path: "Benchmarks/WireBench",
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "CivicDomainTests",
      dependencies: ["CivicDomain"],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "CivicWireTests",
      dependencies: [
        "CivicWire",
        "CivicProtos",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOEmbedded", package: "swift-nio"),
        .product(name: "NIOTestUtils", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings
    ),
    // ops/bench/store: CivicStore vs pgbench on the same transaction, built in release by the script.
    .executableTarget(
      name: "StoreBench",
      dependencies: [
        "CivicStore",
        .product(name: "Logging", package: "swift-log"),
      ],
      path: "Benchmarks/StoreBench",
      swiftSettings: swiftSettings
    ),
    .executableTarget(
      name: "CasesBench",
      dependencies: [
        "CivicWire",
        "CivicProtos",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
      ],
      path: "Benchmarks/CasesBench",
      swiftSettings: swiftSettings
    ),
    // ops/bench/supervision: the warning sweep at an injected time, indicators for every unit,
    // and alert delivery across two instances.
    .executableTarget(
      name: "SupervisionBench",
      dependencies: [
        "CivicWire",
        "CivicProtos",
        "CivicDomain",
        "CivicServices",
        "CivicStore",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "Logging", package: "swift-log"),
      ],
      path: "Benchmarks/SupervisionBench",
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "CivicStoreTests",
      dependencies: [
        "CivicStore",
        "CivicTestSupport",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      swiftSettings: swiftSettings
    ),
    // What several test targets share: the package's own executables, run as a user would.
    .target(
      name: "CivicTestSupport",
      path: "Tests/CivicTestSupport",
      swiftSettings: swiftSettings
    ),
    // The database-backed services through a real server on loopback and a real PostgreSQL.
    .testTarget(
      name: "ServiceTests",
      dependencies: [
        "CivicTestSupport",
        "CivicServer",
        "CivicServices",
        "CivicStore",
        "CivicDomain",
        "CivicProtos",
        "CivicWire",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "ConformanceTests",
      dependencies: [
        "CivicTestSupport",
        "CivicWire",
        "CivicServer",
        "CivicServices",
        "CivicProtos",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCInProcessTransport", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOEmbedded", package: "swift-nio"),
        .product(name: "NIOHPACK", package: "swift-nio-http2"),
        .product(name: "NIOHTTP2", package: "swift-nio-http2"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings
    ),
  ]
)
