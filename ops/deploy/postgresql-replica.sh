#!/usr/bin/env bash
# A PostgreSQL 15 streaming replica of the primary, as a sample to adapt (docs/OPERATIONS.md,
# "Several instances"). Run on the replica host as root, with the primary's address:
#   PRIMARY=db1.example.org REPLICATOR_PASSWORD=… ops/deploy/postgresql-replica.sh
# On the primary first (once):
#   CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '…';
#   SELECT pg_create_physical_replication_slot('civicgrid_replica_1');
#   pg_hba.conf: host replication replicator REPLICA_ADDRESS/32 scram-sha-256
#   postgresql.conf: wal_level = replica (the default), max_wal_senders >= 2,
#     max_slot_wal_keep_size = 50GB (or what the WAL disk can spare): the slot keeps every WAL
#     segment the replica has not received, so a replica gone for good would otherwise fill the
#     primary's disk. Past the bound the primary drops that WAL and the slot shows
#     wal_status = 'lost' in pg_replication_slots: run this script again to remake the replica.
#     A replica retired for good: SELECT pg_drop_replication_slot('civicgrid_replica_1');
# Writes always go to the primary. Synchronous replication (synchronous_standby_names on the
# primary) makes every commit wait for the replica: no acknowledged write is lost when the
# primary's disk is, at the price of one round trip per commit.
set -euo pipefail
: "${PRIMARY:?the primary's host name}" "${REPLICATOR_PASSWORD:?the replicator role's password}"
version=15
data="/var/lib/postgresql/$version/main"
slot="${SLOT:-civicgrid_replica_1}"
systemctl stop "postgresql@$version-main"
rm -rf "$data"
# -R writes standby.signal and primary_conninfo; -S streams from the slot, so the primary
# keeps the WAL this replica has not received yet.
PGPASSWORD="$REPLICATOR_PASSWORD" runuser -u postgres -- pg_basebackup -h "$PRIMARY" -U replicator \
  -D "$data" -R -S "$slot" -X stream -P
cat >>"$data/postgresql.auto.conf" <<CONF
# Read-only queries on the replica (hot standby) may be cancelled by the primary's vacuum
# when they run long; feedback keeps the rows they read from being removed under them. The
# price: while this replica is down, its slot keeps its last xmin and the primary's vacuum
# removes nothing newer, in any database. Alert on an inactive slot with an xmin
# (docs/OPERATIONS.md, "A stopped replica also holds back vacuum").
hot_standby = on
hot_standby_feedback = on
CONF
chown -R postgres:postgres "$data"
systemctl start "postgresql@$version-main"
echo "replica streaming from $PRIMARY; check on the primary: SELECT client_addr, state, replay_lag FROM pg_stat_replication"
