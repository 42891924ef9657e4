#!/usr/bin/env bash
# Read-side benchmark: fills a temporary store with 1,000,000 orders (50 markets, 1,000 users, 30 days) through the
# service's own writer, starts the standalone host (Release) on it and prints median and p90 times per request shape,
# at the server (Server-Timing header) and at the client over loopback. Extra arguments go to the tool:
#   --orders N   --calls N (per shape, default 200)   --write-cost (also fill once without the read indexes)
#   --index-username (fill and serve with OrderStorage:IndexUsername, the opt-in username index)
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build OrderFunctions.Standalone/OrderFunctions.Standalone.csproj -c Release -v quiet -nologo
dotnet build benchmarks/read/ReadBench/ReadBench.csproj -c Release -v quiet -nologo
dotnet benchmarks/read/ReadBench/bin/Release/net10.0/ReadBench.dll \
    OrderFunctions.Standalone/bin/Release/net10.0/OrderFunctions.Standalone.dll "$@"
