#!/bin/sh
# cutover snapshot Job: takes the VolumeSnapshot of the database primary's volume once per
# migration, then waits until the snapshot is readyToUse, so no DDL runs before the backup exists.
# It runs before preflight on every Helm upgrade and Argo CD sync: a snapshot that exists (taken by an
# earlier run of this migration) is never replaced, only waited for; the Job creates it itself, so no
# hook deletion policy, `helm uninstall` or Argo CD prune ever deletes it.
#   SNAPSHOT_NAME       the VolumeSnapshot (one per migration)
#   SNAPSHOT_CLAIM      the PersistentVolumeClaim when no primary Service is named (spec or default)
#   PRIMARY_ENDPOINTS   the operator's primary Service: its endpoint is the primary pod, whose claim
#                       is CLAIM_PREFIX<pod> (the StatefulSet's volumeClaimTemplate naming)
#   READY_TIMEOUT       seconds to wait for readyToUse
set -eu
DIR=/etc/cutover/snapshot

existing=$(kubectl get volumesnapshot "$SNAPSHOT_NAME" --ignore-not-found -o name)
if [ -n "$existing" ]; then
  echo "cutover: snapshot $SNAPSHOT_NAME exists (taken once per migration): kept"
else
  claim=$SNAPSHOT_CLAIM
  if [ -n "${PRIMARY_ENDPOINTS:-}" ]; then
    # The primary moves on failover: read it now instead of assuming pod 0.
    pod=$(kubectl get endpoints "$PRIMARY_ENDPOINTS" -o jsonpath='{.subsets[0].addresses[0].targetRef.name}')
    if [ -z "$pod" ]; then
      echo "cutover: no primary pod behind Service $PRIMARY_ENDPOINTS; not taking a snapshot of a replica" >&2
      exit 1
    fi
    claim="$CLAIM_PREFIX$pod"
  fi
  echo "cutover: taking snapshot $SNAPSHOT_NAME of PersistentVolumeClaim $claim"
  kubectl patch --local -f "$DIR/volumesnapshot.yaml" --type merge \
    -p "{\"spec\":{\"source\":{\"persistentVolumeClaimName\":\"$claim\"}}}" -o yaml | kubectl create -f -
fi

waited=0
while :; do
  state=$(kubectl get volumesnapshot "$SNAPSHOT_NAME" -o jsonpath='{.status.readyToUse}|{.status.error.message}')
  if [ "${state%%|*}" = true ]; then
    echo "cutover: snapshot $SNAPSHOT_NAME is readyToUse"
    exit 0
  fi
  if [ -n "${state#*|}" ]; then
    echo "cutover: snapshot $SNAPSHOT_NAME failed: ${state#*|}" >&2
    exit 1
  fi
  if [ "$waited" -ge "$READY_TIMEOUT" ]; then
    echo "cutover: snapshot $SNAPSHOT_NAME is not readyToUse after ${READY_TIMEOUT}s; no DDL runs without it" >&2
    exit 1
  fi
  sleep 5
  waited=$((waited + 5))
done
