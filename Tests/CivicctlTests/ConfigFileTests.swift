import Foundation
import Testing

@testable import civicctl

@Suite("The config file and where calls go", .timeLimit(.minutes(1)))
struct ConfigFileTests {
  static func temporaryFolder() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("civicctl-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  static func mode(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
  }

  @Test("the location follows CIVICCTL_CONFIG, then XDG_CONFIG_HOME, then HOME")
  func location() {
    #expect(ConfigFile(environment: ["CIVICCTL_CONFIG": "/x/c.json", "XDG_CONFIG_HOME": "/xdg", "HOME": "/h"]).path == "/x/c.json")
    #expect(ConfigFile(environment: ["XDG_CONFIG_HOME": "/xdg", "HOME": "/h"]).path == "/xdg/civicctl/config.json")
    #expect(ConfigFile(environment: ["XDG_CONFIG_HOME": "relative", "HOME": "/h"]).path == "/h/.config/civicctl/config.json")
    #expect(ConfigFile(environment: ["HOME": "/h"]).path == "/h/.config/civicctl/config.json")
  }

  @Test("written 0600 in a folder created 0700, read back the same")
  func roundTrip() throws {
    let root = try Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let file = ConfigFile(environment: ["XDG_CONFIG_HOME": root])
    #expect(try file.load() == nil)
    let login = StoredLogin(server: "127.0.0.1:7401", transport: "http2", token: "cg_secret", login: "admin")
    try file.save(login)
    #expect(try Self.mode(file.path) == 0o600)
    #expect(try Self.mode(root + "/civicctl") == 0o700)
    #expect(file.permissions() == 0o600)
    #expect(try file.load() == login)
    #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/civicctl") == ["config.json"])
  }

  @Test("saving over a file someone left world-readable makes it 0600")
  func tightensExisting() throws {
    let root = try Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let path = root + "/config.json"
    _ = FileManager.default.createFile(atPath: path, contents: Data("{}".utf8), attributes: [.posixPermissions: 0o644])
    let file = ConfigFile(path: path)
    try file.save(StoredLogin(server: "h:1", transport: "wire", token: "t", login: nil))
    #expect(try Self.mode(path) == 0o600)
    #expect(try file.load()?.token == "t")
  }

  @Test("logout removes the file; a broken file is a clear failure")
  func removeAndBroken() throws {
    let root = try Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let file = ConfigFile(path: root + "/config.json")
    #expect(try file.remove() == false)
    try file.save(StoredLogin(server: "h:1", transport: "wire", token: "t", login: nil))
    #expect(try file.remove() == true)
    #expect(try file.load() == nil)
    try Data("not json".utf8).write(to: URL(fileURLWithPath: file.path))
    #expect(throws: ConfigFile.Failure.self) { try file.load() }
  }

  @Test("flags beat the environment, the environment beats the stored login")
  func precedence() throws {
    let stored = StoredLogin(server: "10.0.0.5:7401", transport: "http2", token: "stored", login: "admin")
    var endpoint = try Endpoint.resolve(server: nil, transport: nil, token: nil, environment: [:], stored: stored)
    #expect(endpoint == Endpoint(host: "10.0.0.5", port: 7401, transport: "http2", token: "stored"))

    endpoint = try Endpoint.resolve(server: nil, transport: nil, token: nil, environment: ["CIVICCTL_TOKEN": "env"], stored: stored)
    #expect(endpoint.token == "env")
    endpoint = try Endpoint.resolve(server: nil, transport: "wire", token: "flag", environment: ["CIVICCTL_TOKEN": "env"], stored: stored)
    #expect(endpoint.token == "flag")
    #expect(endpoint.transport == "wire")

    endpoint = try Endpoint.resolve(server: nil, transport: nil, token: nil, environment: [:], stored: nil)
    #expect(endpoint == Endpoint(host: "127.0.0.1", port: 7400, transport: "wire", token: nil))
  }

  @Test("the stored token and transport are only used for the stored server")
  func tokenStaysWithItsServer() throws {
    let stored = StoredLogin(server: "10.0.0.5:7401", transport: "http2", token: "stored", login: "admin")
    let elsewhere = try Endpoint.resolve(server: "10.0.0.6:7400", transport: nil, token: nil, environment: [:], stored: stored)
    #expect(elsewhere == Endpoint(host: "10.0.0.6", port: 7400, transport: "wire", token: nil))
    let viaEnvironment = try Endpoint.resolve(
      server: nil,
      transport: nil,
      token: nil,
      environment: ["CIVICGRID_SERVER": "10.0.0.6:7400"],
      stored: stored
    )
    #expect(viaEnvironment.token == nil)
    let same = try Endpoint.resolve(server: "10.0.0.5:7401", transport: nil, token: nil, environment: [:], stored: stored)
    #expect(same.token == "stored")
  }

  @Test("bad server and transport values are usage errors", arguments: ["nohost", "h:0", "h:70000", ":7400", "h:x"])
  func badServer(server: String) {
    #expect(throws: (any Error).self) {
      try Endpoint.resolve(server: server, transport: nil, token: nil, environment: [:], stored: nil)
    }
  }

  @Test("IPv6 addresses keep their brackets in HOST:PORT")
  func ipv6() throws {
    let endpoint = try Endpoint.resolve(server: "[::1]:7400", transport: "http2", token: nil, environment: [:], stored: nil)
    #expect(endpoint.host == "::1")
    #expect(endpoint.server == "[::1]:7400")
  }
}
