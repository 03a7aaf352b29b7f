#!/usr/bin/python3
"""Records the Kafka request frames a client sends, for ActorBroker.Protocol.Tests.

Two modes:

  proxy   --upstream HOST:PORT: forwards both directions to a real broker and records every request.
          Clients reconnect to the address the broker advertises, so start the broker with
          `--kafka-listen 127.0.0.1:REAL --advertised 127.0.0.1:LISTEN` (LISTEN = this proxy's port)
          or everything after bootstrap bypasses the proxy.
  record  (no --upstream): reads requests and answers nothing; a connection is closed once it has been
          idle for --idle seconds (default 0.5). Enough for a client's first frames (ApiVersions).

Each request frame is written, exactly as sent on the wire (4-byte big-endian size prefix included), to
OUT/CLIENT/<api_key>-v<api_version>-<n>.bin, n counting from 1 per client, key and version and continuing
after files already there. Standard library only; run with /usr/bin/python3.

  capture-frames.py --client kcat --listen 127.0.0.1:19092 [--upstream 127.0.0.1:9092]
                    [--out tests/ActorBroker.Protocol.Tests/Frames] [--max-connections N] [--duration S]
"""
import argparse
import os
import re
import socket
import struct
import sys
import threading
import time

API_NAMES = {
    0: "Produce", 1: "Fetch", 2: "ListOffsets", 3: "Metadata", 8: "OffsetCommit", 9: "OffsetFetch",
    10: "FindCoordinator", 11: "JoinGroup", 12: "Heartbeat", 13: "LeaveGroup", 14: "SyncGroup",
    15: "DescribeGroups", 16: "ListGroups", 17: "SaslHandshake", 18: "ApiVersions", 19: "CreateTopics",
    20: "DeleteTopics", 22: "InitProducerId", 32: "DescribeConfigs", 36: "SaslAuthenticate",
    60: "DescribeCluster",
}


def hostport(text):
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


class Recorder:
    def __init__(self, out_dir, client):
        self.dir = os.path.join(out_dir, client)
        os.makedirs(self.dir, exist_ok=True)
        self.lock = threading.Lock()
        self.counters = {}
        for name in os.listdir(self.dir):
            m = re.fullmatch(r"(\d+)-v(\d+)-(\d+)\.bin", name)
            if m:
                key = (int(m.group(1)), int(m.group(2)))
                self.counters[key] = max(self.counters.get(key, 0), int(m.group(3)))
        self.saved = []

    def save(self, frame):
        api_key, api_version, correlation_id = struct.unpack(">hhi", frame[4:12])
        with self.lock:
            n = self.counters.get((api_key, api_version), 0) + 1
            self.counters[(api_key, api_version)] = n
            path = os.path.join(self.dir, f"{api_key}-v{api_version}-{n}.bin")
            with open(path, "wb") as f:
                f.write(frame)
            self.saved.append(path)
        print(f"{API_NAMES.get(api_key, '?')}({api_key}) v{api_version} corr={correlation_id} "
              f"{len(frame)} bytes -> {path}", flush=True)


class FrameSplitter:
    """Cuts a byte stream into size-prefixed frames."""

    def __init__(self, on_frame):
        self.buffer = bytearray()
        self.on_frame = on_frame

    def feed(self, data):
        self.buffer += data
        while len(self.buffer) >= 4:
            size = struct.unpack(">i", self.buffer[:4])[0]
            if size < 8 or size > 100 * 1024 * 1024:
                print(f"not a Kafka request (size {size}); not recording this connection further", flush=True)
                self.on_frame = None
                self.buffer.clear()
                return
            if len(self.buffer) < 4 + size:
                return
            frame = bytes(self.buffer[:4 + size])
            del self.buffer[:4 + size]
            if self.on_frame:
                self.on_frame(frame)


def pump(src, dst, splitter):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if splitter:
                splitter.feed(data)
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def handle(conn, args, recorder):
    splitter = FrameSplitter(recorder.save)
    if args.upstream:
        upstream = socket.create_connection(hostport(args.upstream))
        t = threading.Thread(target=pump, args=(upstream, conn, None), daemon=True)
        t.start()
        pump(conn, upstream, splitter)
        t.join()
        upstream.close()
    else:
        conn.settimeout(args.idle)
        try:
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                splitter.feed(data)
        except (socket.timeout, OSError):
            pass
    conn.close()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--client", required=True, help="directory name under --out, e.g. kcat, kafka-python, kafkajs")
    p.add_argument("--listen", default="127.0.0.1:19092")
    p.add_argument("--upstream", help="HOST:PORT of a real broker (proxy mode)")
    p.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                 "..", "..", "tests", "ActorBroker.Protocol.Tests", "Frames"))
    p.add_argument("--idle", type=float, default=0.5, help="record mode: close a connection idle this long")
    p.add_argument("--max-connections", type=int, default=0, help="exit after this many connections end (0: never)")
    p.add_argument("--duration", type=float, default=0, help="exit after this many seconds (0: never)")
    args = p.parse_args()

    recorder = Recorder(os.path.normpath(args.out), args.client)
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(hostport(args.listen))
    server.listen(16)
    server.settimeout(0.2)
    print(f"listening on {args.listen} ({'proxy to ' + args.upstream if args.upstream else 'record only'}), "
          f"writing to {recorder.dir}", flush=True)

    started = time.monotonic()
    threads = []
    accepted = 0
    try:
        while True:
            if args.duration and time.monotonic() - started > args.duration:
                break
            if args.max_connections and accepted >= args.max_connections:
                if not any(t.is_alive() for t in threads):
                    break
            else:
                try:
                    conn, _ = server.accept()
                except socket.timeout:
                    continue
                accepted += 1
                t = threading.Thread(target=handle, args=(conn, args, recorder), daemon=True)
                t.start()
                threads.append(t)
                continue
            time.sleep(0.1)
    except KeyboardInterrupt:
        pass
    server.close()
    print(f"{len(recorder.saved)} frames saved", flush=True)


if __name__ == "__main__":
    sys.exit(main())
