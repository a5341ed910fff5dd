-- VerlOrleans on PostgreSQL: the tables behind Orleans' ADO.NET clustering and grain persistence.
--
-- Orleans' ADO.NET providers issue only the queries they read by key from OrleansQuery; they bind their own
-- parameter names (@DeploymentId, @GrainIdHash, ...) and read result columns by name. The tables behind those
-- queries are this project's own. Applied by every silo at start (PostgresSchema.cs), inside one transaction under
-- an advisory lock, and idempotent: tables are created when missing and the queries are replaced, so a silo of a
-- newer version brings its queries with it.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) PRIMARY KEY,
    QueryText text        NOT NULL
);

-- One row per cluster (Orleans' "deployment"): the membership table's version, bumped by every membership change.
CREATE TABLE IF NOT EXISTS vo_membership_version
(
    deployment_id varchar(150) PRIMARY KEY,
    version       integer      NOT NULL DEFAULT 0,
    changed_at    timestamptz  NOT NULL DEFAULT now()
);

-- One row per silo incarnation (address, port and generation).
CREATE TABLE IF NOT EXISTS vo_membership
(
    deployment_id   varchar(150) NOT NULL REFERENCES vo_membership_version (deployment_id) ON DELETE CASCADE,
    address         varchar(45)  NOT NULL,
    port            integer      NOT NULL,
    generation      integer      NOT NULL,
    silo_name       varchar(150) NOT NULL,
    host_name       varchar(150) NOT NULL,
    status          integer      NOT NULL,
    proxy_port      integer,
    suspect_times   text,
    start_time      timestamptz  NOT NULL,
    i_am_alive_time timestamptz  NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

-- One row per grain state; version is the ETag Orleans hands back on the next write.
CREATE TABLE IF NOT EXISTS vo_grain_state
(
    service_id         varchar(150) NOT NULL,
    grain_type_hash    integer      NOT NULL,
    grain_type         varchar(512) NOT NULL,
    grain_id_hash      integer      NOT NULL,
    grain_id_n0        bigint       NOT NULL,
    grain_id_n1        bigint       NOT NULL,
    grain_id_extension varchar(512),
    payload            bytea,
    version            integer      NOT NULL,
    modified_at        timestamptz  NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX IF NOT EXISTS vo_grain_state_key ON vo_grain_state
    (service_id, grain_type_hash, grain_id_hash, grain_id_n0, grain_id_n1, grain_type, (coalesce(grain_id_extension, '')));

-- Membership. A query that changes the table answers one integer: > 0 when it took effect.

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('InsertMembershipVersionKey', $q$
WITH inserted AS (
    INSERT INTO vo_membership_version (deployment_id) VALUES (@DeploymentId)
    ON CONFLICT (deployment_id) DO NOTHING
    RETURNING 1)
SELECT count(*)::integer FROM inserted
$q$),

-- A silo's row goes in only together with a bump of the version it was read at (optimistic concurrency: the
-- version row's lock orders concurrent writers, and a stale version matches nothing).
('InsertMembershipKey', $q$
WITH bumped AS (
    UPDATE vo_membership_version SET version = version + 1, changed_at = now()
    WHERE deployment_id = @DeploymentId AND version = CAST(@Version AS integer)
      AND NOT EXISTS (SELECT 1 FROM vo_membership m
                      WHERE m.deployment_id = @DeploymentId AND m.address = @Address AND m.port = @Port AND m.generation = @Generation)
    RETURNING deployment_id),
inserted AS (
    INSERT INTO vo_membership (deployment_id, address, port, generation, silo_name, host_name, status, proxy_port, start_time, i_am_alive_time)
    SELECT deployment_id, CAST(@Address AS varchar), CAST(@Port AS integer), CAST(@Generation AS integer), CAST(@SiloName AS varchar),
           CAST(@HostName AS varchar), CAST(@Status AS integer), CAST(@ProxyPort AS integer), CAST(@StartTime AS timestamptz),
           CAST(@IAmAliveTime AS timestamptz)
    FROM bumped
    ON CONFLICT DO NOTHING
    RETURNING 1)
SELECT count(*)::integer FROM inserted
$q$),

('UpdateMembershipKey', $q$
WITH bumped AS (
    UPDATE vo_membership_version SET version = version + 1, changed_at = now()
    WHERE deployment_id = @DeploymentId AND version = CAST(@Version AS integer)
      AND EXISTS (SELECT 1 FROM vo_membership m
                  WHERE m.deployment_id = @DeploymentId AND m.address = @Address AND m.port = @Port AND m.generation = @Generation)
    RETURNING deployment_id),
updated AS (
    UPDATE vo_membership m
    SET status = CAST(@Status AS integer), suspect_times = CAST(@SuspectTimes AS text), i_am_alive_time = CAST(@IAmAliveTime AS timestamptz)
    FROM bumped
    WHERE m.deployment_id = bumped.deployment_id AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
    RETURNING 1)
SELECT count(*)::integer FROM updated
$q$),

('UpdateIAmAlivetimeKey', $q$
UPDATE vo_membership SET i_am_alive_time = CAST(@IAmAliveTime AS timestamptz)
WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
$q$),

-- Reads answer the version row even when no silo matches: Orleans takes the table version from it.
('MembershipReadRowKey', $q$
SELECT v.deployment_id AS "DeploymentId", m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
       m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
       m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime", v.version AS "Version"
FROM vo_membership_version v
LEFT JOIN vo_membership m
       ON m.deployment_id = v.deployment_id AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
WHERE v.deployment_id = @DeploymentId
$q$),

('MembershipReadAllKey', $q$
SELECT v.deployment_id AS "DeploymentId", m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
       m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
       m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime", v.version AS "Version"
FROM vo_membership_version v
LEFT JOIN vo_membership m ON m.deployment_id = v.deployment_id
WHERE v.deployment_id = @DeploymentId
$q$),

('DeleteMembershipTableEntriesKey', $q$
DELETE FROM vo_membership_version WHERE deployment_id = @DeploymentId
$q$),

('GatewaysQueryKey', $q$
SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
FROM vo_membership
WHERE deployment_id = @DeploymentId AND status = CAST(@Status AS integer) AND proxy_port > 0
$q$),

-- Status 6 is Orleans' SiloStatus.Dead.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM vo_membership
WHERE deployment_id = @DeploymentId AND i_am_alive_time < CAST(@IAmAliveTime AS timestamptz) AND status = 6
$q$),

-- One dead silo's row, only if it is still exactly as Orleans read it.
('CleanupDefunctSiloEntryKey', $q$
DELETE FROM vo_membership
WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation AND status = 6
  AND start_time = CAST(@StartTime AS timestamptz) AND i_am_alive_time = CAST(@IAmAliveTime AS timestamptz)
  AND suspect_times IS NOT DISTINCT FROM CAST(@SuspectTimes AS text)
$q$),

-- Grain state. A write answers the new version; the version it was given (or null) when its ETag was stale, which
-- Orleans reports as an InconsistentStateException instead of overwriting another activation's state.
('WriteToStorageKey', $q$
WITH updated AS (
    UPDATE vo_grain_state
    SET payload = @PayloadBinary, version = version + 1, modified_at = now()
    WHERE service_id = @ServiceId AND grain_type_hash = @GrainTypeHash AND grain_id_hash = @GrainIdHash
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_type = @GrainTypeString
      AND coalesce(grain_id_extension, '') = coalesce(CAST(@GrainIdExtensionString AS varchar), '')
      AND version = CAST(@GrainStateVersion AS integer)
    RETURNING version),
inserted AS (
    INSERT INTO vo_grain_state (service_id, grain_type_hash, grain_type, grain_id_hash, grain_id_n0, grain_id_n1, grain_id_extension, payload, version)
    SELECT CAST(@ServiceId AS varchar), CAST(@GrainTypeHash AS integer), CAST(@GrainTypeString AS varchar), CAST(@GrainIdHash AS integer),
           CAST(@GrainIdN0 AS bigint), CAST(@GrainIdN1 AS bigint), CAST(@GrainIdExtensionString AS varchar), CAST(@PayloadBinary AS bytea), 1
    WHERE CAST(@GrainStateVersion AS integer) IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version)
SELECT coalesce((SELECT version FROM updated), (SELECT version FROM inserted), CAST(@GrainStateVersion AS integer)) AS "NewGrainStateVersion"
$q$),

('ReadFromStorageKey', $q$
SELECT payload AS "PayloadBinary", NULL::text AS "PayloadXml", NULL::text AS "PayloadJson", now() AS "ReadAt", version AS "Version"
FROM vo_grain_state
WHERE service_id = @ServiceId AND grain_type_hash = @GrainTypeHash AND grain_id_hash = @GrainIdHash
  AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_type = @GrainTypeString
  AND coalesce(grain_id_extension, '') = coalesce(CAST(@GrainIdExtensionString AS varchar), '')
$q$),

('ClearStorageKey', $q$
UPDATE vo_grain_state
SET payload = NULL, version = version + 1, modified_at = now()
WHERE service_id = @ServiceId AND grain_type_hash = @GrainTypeHash AND grain_id_hash = @GrainIdHash
  AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_type = @GrainTypeString
  AND coalesce(grain_id_extension, '') = coalesce(CAST(@GrainIdExtensionString AS varchar), '')
  AND version = CAST(@GrainStateVersion AS integer)
RETURNING version AS "NewGrainStateVersion"
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
