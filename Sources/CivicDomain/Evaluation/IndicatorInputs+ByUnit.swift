/// `IndicatorInputs` with every kind of fact indexed by the unit path it belongs to, so the
/// facts of one unit's subtree are gathered from the paths it covers instead of testing every
/// fact: an assessment computes every unit's figures from one gathering, and testing each of
/// tens of thousands of facts against each of 52 units' paths was most of its time.
///
/// `inputs(for:)` keeps each kind's facts in their order, so `IndicatorSet` computes the same
/// figures from them as from the whole gathering.
public struct IndicatorInputsByUnit: Sendable {
  private let inputs: IndicatorInputs
  private let cases: PathIndex
  private let ratings: PathIndex
  private let orders: PathIndex
  private let events: PathIndex
  private let requestTiers: PathIndex
  private let requestReplies: PathIndex
  private let disputeClosings: PathIndex
  private let disputeFollowUps: PathIndex
  private let fieldEvents: PathIndex
  private let gridWorkers: PathIndex

  public init(_ inputs: IndicatorInputs) {
    self.inputs = inputs
    self.cases = PathIndex(inputs.cases.map(\.unitPath))
    self.ratings = PathIndex(inputs.ratings.map(\.unitPath))
    self.orders = PathIndex(inputs.orders.map(\.unitPath))
    self.events = PathIndex(inputs.events.map(\.unitPath))
    self.requestTiers = PathIndex(inputs.requestTiers.map(\.unitPath))
    self.requestReplies = PathIndex(inputs.requestReplies.map(\.unitPath))
    self.disputeClosings = PathIndex(inputs.disputeClosings.map(\.unitPath))
    self.disputeFollowUps = PathIndex(inputs.disputeFollowUps.map(\.unitPath))
    self.fieldEvents = PathIndex(inputs.fieldEvents.map(\.gridPath))
    self.gridWorkers = PathIndex(inputs.gridWorkers.map(\.unitPath))
  }

  /// The facts `selector` matches, each kind in its original order; training sessions, which
  /// are matched through their workers, all of them.
  public func inputs(for selector: UnitSelector) -> IndicatorInputs {
    IndicatorInputs(
      cases: self.cases.take(self.inputs.cases, selector),
      ratings: self.ratings.take(self.inputs.ratings, selector),
      orders: self.orders.take(self.inputs.orders, selector),
      events: self.events.take(self.inputs.events, selector),
      requestTiers: self.requestTiers.take(self.inputs.requestTiers, selector),
      requestReplies: self.requestReplies.take(self.inputs.requestReplies, selector),
      disputeClosings: self.disputeClosings.take(self.inputs.disputeClosings, selector),
      disputeFollowUps: self.disputeFollowUps.take(self.inputs.disputeFollowUps, selector),
      fieldEvents: self.fieldEvents.take(self.inputs.fieldEvents, selector),
      gridWorkers: self.gridWorkers.take(self.inputs.gridWorkers, selector),
      trainingSessions: self.inputs.trainingSessions
    )
  }

  /// The positions of one kind's facts by the path each names.
  private struct PathIndex: Sendable {
    let positions: [String: [Int]]

    init(_ paths: [String]) {
      var positions: [String: [Int]] = [:]
      for (position, path) in paths.enumerated() { positions[path, default: []].append(position) }
      self.positions = positions
    }

    func take<Fact>(_ facts: [Fact], _ selector: UnitSelector) -> [Fact] {
      let matched = self.positions.filter { selector.matches($0.key) }
      // One path (a unit without children, or a unit alone): its positions are in order.
      if matched.count == 1, let only = matched.first { return only.value.map { facts[$0] } }
      return matched.values.joined().sorted().map { facts[$0] }
    }
  }
}
