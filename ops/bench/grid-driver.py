"""Load driver for ops/bench/grid (not a test): field events through civicgridd's gRPC listener.

  grid-driver.py routing HOST:PORT ADMIN_TOKEN               publishes the bench's event routing table
  grid-driver.py load HOST:PORT TOKEN COUNT THREADS     ReportEvent + RouteEvent per event; prints events/minute
  grid-driver.py urgent HOST_A:PORT HOST_B:PORT REPORTER_TOKEN WATCHER_TOKEN COUNT
      COUNT urgent reports on instance A, each timed until its alert reaches a WatchAlerts
      subscriber on instance B; prints p50 and p99 in milliseconds.
Messages come from the descriptor set CivicProtos ships (Sources/CivicProtos/civicgrid.binpb).
"""
import sys, threading, time, uuid
import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

pool = descriptor_pool.DescriptorPool()
for f in descriptor_pb2.FileDescriptorSet.FromString(open("Sources/CivicProtos/civicgrid.binpb", "rb").read()).file:
    pool.Add(f)
msg = lambda name: message_factory.GetMessageClass(pool.FindMessageTypeByName("civicgrid.v1." + name))
Report, Event, Route = msg("ReportEventRequest"), msg("FieldEvent"), msg("RouteEventRequest")
Watch, Alert = msg("WatchAlertsRequest"), msg("Alert")


def enum(name, value):
    """An enum value's number by its name, from the descriptors: numbers move when values are
    added (ALERT_KIND_URGENT_EVENT was 7 until ALERT_KIND_TARGET_MISSED took 7), names do not."""
    return pool.FindEnumTypeByName("civicgrid.v1." + name).values_by_name[value].number


category = lambda name: enum("FieldEventCategory", "FIELD_EVENT_CATEGORY_" + name)
SAFETY_HAZARD, FACILITIES = category("SAFETY_HAZARD"), category("FACILITIES")
URGENT_EVENT = enum("AlertKind", "ALERT_KIND_URGENT_EVENT")


def unary(channel, method, response):
    return channel.unary_unary(method, request_serializer=lambda m: m.SerializeToString(), response_deserializer=response.FromString)


def report(category, urgent, n):
    r = Report(category=category, urgent=urgent, grid_code="QH-S1-C1-G1", location=f"Bench Road {n % 500}",
               description="bench event", idempotency_key=f"bench/{uuid.uuid4()}")
    r.point.latitude, r.point.longitude = 39.9, 116.4
    return r


def load(target, token, count, threads):
    channel = grpc.insecure_channel(target)
    meta = [("authorization", f"Bearer {token}")]
    rep = unary(channel, "/civicgrid.v1.FieldEvents/ReportEvent", Event)
    route = unary(channel, "/civicgrid.v1.FieldEvents/RouteEvent", Event)
    done, failures, lock = [0], [0], threading.Lock()

    def worker(k):
        for n in range(k, count, threads):
            try:
                e = rep(report(FACILITIES if n % 2 else SAFETY_HAZARD, False, n), metadata=meta)  # community and street routes
                route(Route(event_id=e.id, expected_version=e.case.version), metadata=meta)
                with lock: done[0] += 1
            except grpc.RpcError as error:
                with lock: failures[0] += 1
                if failures[0] <= 3: print(f"failure: {error.code()} {error.details()}", file=sys.stderr)

    start = time.monotonic()
    ts = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for t in ts: t.start()
    for t in ts: t.join()
    seconds = time.monotonic() - start
    print(f"{done[0]} {failures[0]} {seconds:.3f} {done[0] / seconds * 60:.0f}")


def urgent(target_a, target_b, reporter, watcher, count):
    a, b = grpc.insecure_channel(target_a), grpc.insecure_channel(target_b)
    rep = unary(a, "/civicgrid.v1.FieldEvents/ReportEvent", Event)
    stream = b.unary_stream("/civicgrid.v1.Supervision/WatchAlerts", request_serializer=lambda m: m.SerializeToString(),
                            response_deserializer=Alert.FromString)
    arrived, cond = {}, threading.Condition()
    w = Watch()
    w.filter.kinds.append(URGENT_EVENT)
    # From the feed's start: alerts already there arrive at once and are not timed (only the
    # ids of the reports below are looked for).
    call = stream(w, metadata=[("authorization", f"Bearer {watcher}")])

    def listen():
        try:
            for alert in call:
                with cond:
                    arrived.setdefault(alert.case_id, time.monotonic())
                    cond.notify_all()
        except grpc.RpcError:
            pass

    threading.Thread(target=listen, daemon=True).start()
    time.sleep(1.0)
    latencies = []
    for n in range(count):
        sent = time.monotonic()
        e = rep(report(SAFETY_HAZARD, True, n), metadata=[("authorization", f"Bearer {reporter}")])
        with cond:
            cond.wait_for(lambda: e.id in arrived, timeout=10)
            if e.id in arrived: latencies.append((arrived[e.id] - sent) * 1000)
    call.cancel()
    if not latencies:
        print("0 - - -")  # none arrived: the table shows it rather than the run stopping
        return
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
    print(f"{len(latencies)} {pick(0.5):.1f} {pick(0.99):.1f} {latencies[-1]:.1f}")


def routing(target, token):
    """Publishes a routing table for the bench: every category to the event's street or community."""
    Update, Table = msg("UpdateEventRoutingRequest"), msg("EventRoutingTable")
    u = Update(acknowledge_minutes=15, expected_version=0)
    community = {category("PEOPLE_IN_DIFFICULTY"), FACILITIES}
    requests = {category("DISPUTE_LEAD"), category("CITIZEN_REQUEST")}
    tier = lambda name: enum("RequestTier", "REQUEST_TIER_" + name)
    for value in pool.FindEnumTypeByName("civicgrid.v1.FieldEventCategory").values:
        if value.number == 0: continue
        r = u.routes.add(category=value.number, tier=tier("COMMUNITY" if value.number in community else "STREET"),
                         working_days=3, urgent_hours=2)
        if value.number in requests: r.request_category, r.tier = "neighbourhood-noise", 0
    channel = grpc.insecure_channel(target)
    print(unary(channel, "/civicgrid.v1.FieldEvents/UpdateEventRouting", Table)(u, metadata=[("authorization", f"Bearer {token}")]).version)


if __name__ == "__main__":
    if sys.argv[1] == "routing":
        routing(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "load":
        load(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        urgent(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]))
