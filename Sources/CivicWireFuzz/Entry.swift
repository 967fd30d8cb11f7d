import Foundation

#if CIVICWIRE_FUZZ
// Built by ops/fuzz with -sanitize=fuzzer: libFuzzer's main calls this for every input; the
// target comes from CIVICWIRE_FUZZ_TARGET (frames, server or requests).
private let target: WireFuzzTarget = {
  let name = ProcessInfo.processInfo.environment["CIVICWIRE_FUZZ_TARGET"] ?? ""
  guard let target = WireFuzzTarget(rawValue: name) else {
    fatalError("CIVICWIRE_FUZZ_TARGET must be one of: \(WireFuzzTarget.allCases.map(\.rawValue))")
  }
  return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  target.run(UnsafeRawBufferPointer(start: data, count: size))
  return 0
}

/// libFuzzer's entry for programs that have their own main.
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
  _ argc: UnsafeMutablePointer<CInt>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
  _ testOneInput: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's `main` to `<module>_main`; here it hands over to libFuzzer.
@_cdecl("CivicWireFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
  var argc = argc
  var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
  return runFuzzerDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) }
}
#else
/// Without the fuzzer: replays inputs, so the corpora and every crash once found stay
/// regression cases (ops/test runs it over Fuzz/corpus); or writes the `requests` seeds.
///   CivicWireFuzz TARGET FILE_OR_FOLDER...
///   CivicWireFuzz write-request-seeds FOLDER
@main
struct ReplayFuzzInputs {
  static func main() throws {
    let arguments = CommandLine.arguments.dropFirst()
    if arguments.first == "write-request-seeds", arguments.count == 2, let folder = arguments.last {
      let seeds = try RequestSeeds().inputs()
      for seed in seeds {
        try Data(seed.input).write(to: URL(fileURLWithPath: folder).appendingPathComponent(seed.name))
      }
      print("CivicWireFuzz: \(seeds.count) request seeds written to \(folder)")
      return
    }
    let names = WireFuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
    guard let name = arguments.first, let target = WireFuzzTarget(rawValue: name), arguments.count > 1 else {
      FileHandle.standardError.write(
        Data("usage: CivicWireFuzz \(names) FILE_OR_FOLDER...\n       CivicWireFuzz write-request-seeds FOLDER\n".utf8)
      )
      exit(64)
    }
    var count = 0
    for path in arguments.dropFirst() {
      var isFolder: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
        FileHandle.standardError.write(Data("CivicWireFuzz: no such file or folder: \(path)\n".utf8))
        exit(66)
      }
      let files = isFolder.boolValue
        ? try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { path + "/" + $0 }
        : [path]
      for file in files {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        bytes.withUnsafeBytes { target.run($0) }
        count += 1
      }
    }
    print("CivicWireFuzz \(name): \(count) inputs replayed")
  }
}
#endif
