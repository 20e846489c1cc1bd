#!/usr/bin/python3
"""python_chat.py WS_URL: two chatd clients built on the `websockets` library.
python_chat.py peer URL ROOM NAME PEERS [options]: one member of a room
shared with clients of other kinds (see run_peer).

Checks, against a running chatd, what a third-party client sees when it
follows docs/protocol.md: the welcome on connect and after a join, messages
delivered to both members in one order with consecutive seq, a non-JSON text
frame taken as a say, and the JSON errors for bad input (with the connection
left open). Exits 0 on success; on failure prints what differed and exits 1.
Every wait is bounded, and the whole run is capped at TOTAL_SECONDS.

Left out: stranger mode, presence in large rooms and close codes; the node
client and the C++ integration tests cover those.
"""
import argparse
import asyncio
import json
import os
import ssl
import sys
import time

import websockets

TOTAL_SECONDS = 18
RECEIVE_SECONDS = 5
# A peer waits for clients of other kinds (a browser starting up) to join.
PEER_TOTAL_SECONDS = 45
PEER_JOIN_SECONDS = 30
# Notices a client may get between the replies we wait for; anything else is a failure.
ROOM_NOTICES = {"joined", "left", "presence"}


class CheckFailed(Exception):
    pass


def check(condition, what):
    if not condition:
        raise CheckFailed(what)


async def receive(socket, who, seconds=RECEIVE_SECONDS):
    """The next frame from socket as a JSON object."""
    try:
        raw = await asyncio.wait_for(socket.recv(), seconds)
    except asyncio.TimeoutError:
        raise CheckFailed(f"{who}: nothing received within {seconds} s")
    check(isinstance(raw, str), f"{who}: expected a text frame, got {raw!r}")
    try:
        message = json.loads(raw)
    except ValueError:
        raise CheckFailed(f"{who}: server sent text that is not JSON: {raw!r}")
    check(isinstance(message, dict) and "type" in message, f"{who}: no type in {raw!r}")
    return message


async def receive_type(socket, who, wanted, seconds=RECEIVE_SECONDS):
    """Skips room notices until a message of type wanted arrives, and returns it."""
    while True:
        message = await receive(socket, who, seconds)
        if message["type"] == wanted:
            return message
        check(message["type"] in ROOM_NOTICES,
              f"{who}: waiting for {wanted}, got unexpected {message}")


async def join(socket, who, name, room):
    await socket.send(json.dumps({"type": "join", "name": name, "room": room}))
    welcome = await receive_type(socket, who, "welcome")
    check(welcome["room"] == room and welcome["name"] == name,
          f"{who}: welcome names the wrong room or name: {welcome}")
    return welcome


def check_message(message, room, seq, sender_id, sender, text):
    expected = {"type": "message", "room": room, "seq": seq, "from_id": sender_id,
                "from": sender, "text": text}
    got = {key: message.get(key) for key in expected}
    check(got == expected, f"message differs:\n  expected {expected}\n  got      {message}")
    check(isinstance(message.get("ts"), int) and abs(message["ts"] - time.time() * 1000) < 60000,
          f"message ts is not the server's time in ms: {message}")


async def run(url):
    suffix = f"{os.getpid() % 100000}-{int(time.time() * 1000) % 100000}"
    room = f"py-{suffix}"
    async with websockets.connect(url, open_timeout=5, close_timeout=2) as alice, \
            websockets.connect(url, open_timeout=5, close_timeout=2) as bob:
        # Connecting puts each client in the lobby under a generated name.
        first = await receive_type(alice, "alice", "welcome")
        check(first["room"] == "lobby" and first["name"] == f"guest-{first['id']}",
              f"connect welcome should be lobby/guest-<id>: {first}")
        check(isinstance(first.get("member_count"), int) and isinstance(first.get("history"), list),
              f"connect welcome lacks member_count or history: {first}")
        await receive_type(bob, "bob", "welcome")

        welcome_alice = await join(alice, "alice", "alice", room)
        alice_id = welcome_alice["id"]
        check(welcome_alice["id"] == first["id"], "join changed the connection id")
        check(welcome_alice["member_count"] == 1 and welcome_alice["history"] == []
              and welcome_alice["members"] == [{"id": alice_id, "name": "alice"}],
              f"welcome into a new room: {welcome_alice}")

        welcome_bob = await join(bob, "bob", "bob", room)
        bob_id = welcome_bob["id"]
        members = sorted(welcome_bob["members"], key=lambda member: member["id"])
        check(welcome_bob["member_count"] == 2
              and members == sorted([{"id": alice_id, "name": "alice"}, {"id": bob_id, "name": "bob"}],
                                    key=lambda member: member["id"]),
              f"bob's welcome should list both members: {welcome_bob}")
        joined = await receive_type(alice, "alice", "joined")
        while joined.get("id") == alice_id:  # the protocol leaves open whether a joiner hears of itself
            joined = await receive_type(alice, "alice", "joined")
        check(joined == {"type": "joined", "room": room, "id": bob_id, "name": "bob", "member_count": 2},
              f"alice should be told bob joined: {joined}")

        # Both speak; both must see the two messages in one order, seq 1 then 2.
        await alice.send(json.dumps({"type": "say", "text": "hello from alice"}))
        await bob.send(json.dumps({"type": "say", "text": "hello from bob ✓"}))
        seen = {}
        for who, socket in (("alice", alice), ("bob", bob)):
            seen[who] = [await receive_type(socket, who, "message") for _ in range(2)]
        for who in seen:
            check([m["seq"] for m in seen[who]] == [1, 2], f"{who}: seq should be 1, 2: {seen[who]}")
        check([(m["from"], m["text"]) for m in seen["alice"]] == [(m["from"], m["text"]) for m in seen["bob"]],
              f"members saw different orders:\n  alice {seen['alice']}\n  bob   {seen['bob']}")
        for message in seen["alice"]:
            if message["from"] == "alice":
                check_message(message, room, message["seq"], alice_id, "alice", "hello from alice")
            else:
                check_message(message, room, message["seq"], bob_id, "bob", "hello from bob ✓")

        # A text frame that is not JSON is a say.
        await alice.send("just typing, no JSON")
        for who, socket in (("alice", alice), ("bob", bob)):
            check_message(await receive_type(socket, who, "message"), room, 3, alice_id, "alice",
                          "just typing, no JSON")

        # Errors: the connection stays open and the sender stays in its room.
        for frame, code in (
                (json.dumps({"type": "join", "name": " alice", "room": room}), "bad_name"),
                (json.dumps({"type": "join", "name": "carol", "room": "bad\u0001room"}), "bad_room"),
                (json.dumps({"type": "join", "name": "ALICE", "room": room}), "name_taken"),
                ("{not json", "bad_json"),
                (json.dumps({"type": "dance"}), "unknown_type"),
                (json.dumps({"type": "say", "text": ""}), "bad_text")):
            await bob.send(frame)
            error = await receive_type(bob, "bob", "error")
            check(error.get("code") == code and isinstance(error.get("message"), str),
                  f"{frame} should get error {code}, got {error}")
        await bob.send(json.dumps({"type": "say", "text": "still here"}))
        for who, socket in (("alice", alice), ("bob", bob)):
            check_message(await receive_type(socket, who, "message"), room, 4, bob_id, "bob", "still here")


async def run_peer(options):
    """One member of a room that clients of other kinds share (the proxy tests).

    Joins options.room as options.name, waits until every name in
    options.peers is a member, says "hello from NAME", and waits for the
    hello of every peer; then prints the room's messages in the order they
    arrived ("order: seq:from:text|..."), which every peer must print alike.
    With --idle S it then stays silent for S seconds, while the server's pings
    (and this library's answers) are the only traffic, and checks that the
    connection still carries a message. --cafile trusts a certificate for
    wss://, --local-address picks the address the client connects from, and
    --forwarded-for sends a made-up X-Forwarded-For that a proxy must not
    pass on as the truth.
    """
    context = None
    if options.url.startswith("wss://"):
        context = ssl.create_default_context(cafile=options.cafile)
    extra = {"ssl": context} if context else {}
    if options.local_address:
        extra["local_addr"] = (options.local_address, 0)
    headers = {"X-Forwarded-For": options.forwarded_for} if options.forwarded_for else {}
    peers = set(options.peers.split(","))
    who = options.name
    async with websockets.connect(options.url, open_timeout=5, close_timeout=2, ping_interval=None,
                                  extra_headers=headers, **extra) as socket:
        await receive_type(socket, who, "welcome")
        welcome = await join(socket, who, who, options.room)
        members = {member["name"] for member in welcome["members"]}
        while not peers <= members:
            message = await receive_type(socket, who, "joined", PEER_JOIN_SECONDS)
            members.add(message["name"])
        await socket.send(json.dumps({"type": "say", "text": f"hello from {who}"}))
        order = []
        while len(order) < len(peers):
            message = await receive_type(socket, who, "message")
            check(message["text"] == f"hello from {message['from']}" and message["from"] in peers,
                  f"{who}: unexpected message {message}")
            order.append(f"{message['seq']}:{message['from']}:{message['text']}")
        check(len(set(order)) == len(order), f"{who}: a message arrived twice: {order}")
        print("order: " + "|".join(order), flush=True)
        if options.idle:
            await asyncio.sleep(options.idle)
            text = f"{who} after {options.idle} s idle"
            await socket.send(json.dumps({"type": "say", "text": text}))
            while True:
                message = await receive_type(socket, who, "message")
                if message["text"] == text:
                    break


def peer_main(arguments):
    parser = argparse.ArgumentParser(prog="python_chat.py peer")
    parser.add_argument("url")
    parser.add_argument("room")
    parser.add_argument("name")
    parser.add_argument("peers", help="every member's name, this one's too, separated by commas")
    parser.add_argument("--cafile")
    parser.add_argument("--local-address")
    parser.add_argument("--forwarded-for")
    parser.add_argument("--idle", type=float, default=0)
    return parser.parse_args(arguments)


def main():
    peer = len(sys.argv) > 1 and sys.argv[1] == "peer"
    if not peer and len(sys.argv) != 2:
        print("usage: python_chat.py ws://HOST:PORT/\n"
              "       python_chat.py peer URL ROOM NAME PEERS [--cafile F] [--local-address A] "
              "[--forwarded-for A] [--idle SECONDS]", file=sys.stderr)
        return 2
    scenario = run_peer(peer_main(sys.argv[2:])) if peer else run(sys.argv[1])
    total = PEER_TOTAL_SECONDS if peer else TOTAL_SECONDS
    try:
        asyncio.run(asyncio.wait_for(scenario, total))
    except CheckFailed as failure:
        print(f"python_chat: FAIL: {failure}", file=sys.stderr)
        return 1
    except asyncio.TimeoutError:
        print(f"python_chat: FAIL: did not finish within {total} s", file=sys.stderr)
        return 1
    except (OSError, websockets.exceptions.WebSocketException) as error:
        print(f"python_chat: FAIL: connection problem: {error!r}", file=sys.stderr)
        return 1
    print("python_chat: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
