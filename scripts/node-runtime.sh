# Sourced by the scripts that start nodes (run.sh, cluster.sh, bench.sh): .NET runtime settings a node runs with.
#
# The GC's gen0 budget defaults to the CPU's last-level cache size (about 2 MiB on small VMs), so a node that moves
# 1 MiB request and fetch buffers collected gen0 every few requests: raising it to 64 MiB doubled 3-node acks=all
# throughput (24.6 -> 56 MB/s) in docs/benchmarks.md's measurements. This setting exists only as an environment
# variable (runtimeconfig.json ignores it), hence here; the node's other GC settings are in its project file.
# A value already in the environment wins.
export DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x4000000}"
