#!/usr/bin/env python3
"""make_corpus.py: writes the seed corpora in tests/fuzz/corpus/<target>/.

Seeds are real traffic: browser and curl requests, the RFC 6455 section 5.7
frames, fragmented and interleaved messages, close frames with good and bad
codes, chat sessions, and the RESP2 replies a Redis server sends (pub/sub
confirmations and messages, script results, errors). A fuzzer starts from them, so it begins with
inputs that already reach deep into each parser instead of spending its
first minutes discovering what "GET" or a mask bit is.

Run it from anywhere: python3 tests/fuzz/make_corpus.py. It rewrites the
seed files (named after what they hold) and leaves anything else in the
corpus directories alone, so a crash input added by hand stays. Output is
deterministic. Deliberately left out: large inputs (the whole corpus stays
well under 200 KB); the fuzzers grow sizes themselves.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
RFC_MASK = bytes([0x37, 0xFA, 0x21, 0x3D])  # the key in RFC 6455 5.7
ZERO_MASK = bytes(4)  # payload stays readable, so mutations hit the JSON


def write(target, name, data):
    directory = os.path.join(HERE, "corpus", target)
    os.makedirs(directory, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(directory, name), "wb") as out:
        out.write(data)


# ===== HTTP requests (RFC 9112) =====

def http_request(lines, ending="\r\n"):
    return ending.join(lines) + ending + ending


CHROME = http_request([
    "GET / HTTP/1.1", "Host: localhost:8080", "Connection: Upgrade", "Pragma: no-cache",
    "Cache-Control: no-cache",
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
    "Upgrade: websocket", "Origin: http://localhost:8080", "Sec-WebSocket-Version: 13",
    "Accept-Encoding: gzip, deflate, br", "Accept-Language: en-US,en;q=0.9",
    "Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==",
    "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"])
FIREFOX = http_request([
    "GET /echo HTTP/1.1", "Host: 127.0.0.1:8080",
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Accept: */*", "Accept-Language: en-US,en;q=0.5", "Accept-Encoding: gzip, deflate, br",
    "Sec-WebSocket-Version: 13", "Origin: http://127.0.0.1:8080",
    "Sec-WebSocket-Extensions: permessage-deflate", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Connection: keep-alive, Upgrade", "Sec-Fetch-Dest: empty", "Sec-Fetch-Mode: websocket",
    "Pragma: no-cache", "Upgrade: websocket"])
RFC_6455 = http_request([  # RFC 6455 section 1.2
    "GET /chat HTTP/1.1", "Host: server.example.com", "Upgrade: websocket", "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Origin: http://example.com",
    "Sec-WebSocket-Protocol: chat, superchat", "Sec-WebSocket-Version: 13"])


def http_seeds():
    write("http_request", "chrome_upgrade", CHROME)
    write("http_request", "firefox_upgrade_echo", FIREFOX)
    write("http_request", "rfc6455_1.2_upgrade", RFC_6455)
    write("http_request", "upgrade_then_frame_bytes", CHROME.encode() + bytes([0x81, 0x85]) + RFC_MASK + b"\x7f\x9f\x4d\x51\x58")
    write("http_request", "curl_get_root",
          http_request(["GET / HTTP/1.1", "Host: localhost:8080", "User-Agent: curl/7.88.1", "Accept: */*"]))
    write("http_request", "curl_healthz",
          http_request(["GET /healthz HTTP/1.1", "Host: localhost:8080", "User-Agent: curl/7.88.1", "Accept: */*"]))
    write("http_request", "netcat_bare_lf", http_request(["GET / HTTP/1.0", "Host: x"], ending="\n"))
    write("http_request", "leading_empty_lines", "\r\n\r\n" + http_request(["GET / HTTP/1.1", "Host: a"]))
    write("http_request", "http_1_9", http_request(["GET / HTTP/1.9", "Host: a"]))
    write("http_request", "http_2_0_is_505", http_request(["GET / HTTP/2.0", "Host: a"]))
    write("http_request", "obs_fold_is_400", http_request(["GET / HTTP/1.1", "X-Long: a", " b"]))
    write("http_request", "space_before_colon", http_request(["GET / HTTP/1.1", "Host : a"]))
    write("http_request", "absolute_form", http_request(["GET http://a.example/x?y=1 HTTP/1.1", "Host: a.example"]))
    # What nginx forwards: the client's own claim, then what nginx saw.
    write("http_request", "forwarded_for_chain", http_request([
        "GET / HTTP/1.1", "Host: chat.example", "X-Forwarded-For: 192.0.2.66, 203.0.113.7",
        "x-forwarded-for: 2001:db8::5, 127.0.0.1", "X-Forwarded-For: garbage, ,10.0.0.1/8"]))
    write("http_request", "repeated_connection_tokens", http_request([
        "GET / HTTP/1.1", "Host: a", "Connection: keep-alive", "Connection: , Upgrade ,",
        "Upgrade: WebSocket", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA=="]))
    write("http_request", "target_2049_is_414", http_request(["GET /" + "a" * 2048 + " HTTP/1.1", "Host: a"]))
    write("http_request", "header_count_65_is_431",
          http_request(["GET / HTTP/1.1"] + ["X-H%d: v" % i for i in range(65)]))
    write("http_request", "head_8193_bytes_is_431",
          http_request(["GET / HTTP/1.1", "X-Big: " + "b" * 8200]))
    write("http_request", "tls_client_hello", bytes([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03]))
    write("http_request", "control_char_in_value", b"GET / HTTP/1.1\r\nHost: a\x01b\r\n\r\n")
    write("http_request", "obs_text_in_value", b"GET / HTTP/1.1\r\nX-Name: caf\xc3\xa9 \xff\r\n\r\n")
    # Host and the request-target forms (RFC 9112 3.2), HEAD, and bodies on an upgrade.
    write("http_request", "host_ipv6_literal", http_request(["GET /healthz HTTP/1.1", "Host: [2001:db8::7]:8080"]))
    write("http_request", "host_with_userinfo_is_400", http_request(["GET / HTTP/1.1", "Host: a@b"]))
    write("http_request", "absolute_form_upgrade_echo", http_request([
        "GET HTTP://127.0.0.1:8080/echo?x HTTP/1.1", "Host: 127.0.0.1:8080", "Upgrade: websocket",
        "Connection: Upgrade", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="]))
    write("http_request", "absolute_form_empty_path", http_request(["HEAD https://a.example HTTP/1.1", "Host: a"]))
    write("http_request", "authority_form_connect", http_request(["CONNECT [::1]:443 HTTP/1.1", "Host: [::1]:443"]))
    write("http_request", "asterisk_form_options", http_request(["OPTIONS * HTTP/1.1", "Host: a"]))
    write("http_request", "upgrade_with_body_is_400", CHROME.replace("\r\n\r\n", "\r\nContent-Length: 20\r\n\r\n")
          .encode() + bytes([0x81, 0x85]) + RFC_MASK + b"\x7f\x9f\x4d\x51\x58")


# ===== Client frames (RFC 6455 section 5) =====

def frame(opcode, payload=b"", fin=True, mask=RFC_MASK, rsv=0, masked=True, length_form=None):
    """One client frame; length_form forces the 16- or 64-bit length (126, 127)."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    first = (0x80 if fin else 0) | rsv | opcode
    mask_bit = 0x80 if masked else 0
    size = len(payload)
    form = length_form or (size if size < 126 else 126 if size < 65536 else 127)
    header = bytes([first])
    if form == 126:
        header += bytes([mask_bit | 126]) + struct.pack(">H", size)
    elif form == 127:
        header += bytes([mask_bit | 127]) + struct.pack(">Q", size)
    else:
        header += bytes([mask_bit | size])
    if not masked:
        return header + payload
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


TEXT, BINARY, CONT, CLOSE, PING, PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA


def close_payload(code, reason=b""):
    return struct.pack(">H", code) + reason


def frame_seeds():
    w = lambda name, data: write("frames", name, data)
    # RFC 6455 section 5.7, masked as a client sends them.
    w("rfc5.7_masked_hello", bytes([0x81, 0x85]) + RFC_MASK + b"\x7f\x9f\x4d\x51\x58")
    w("rfc5.7_fragmented_hello", frame(TEXT, "Hel", fin=False) + frame(CONT, "lo"))
    w("rfc5.7_ping_pong_hello", frame(PING, "Hello") + frame(PONG, "Hello"))
    w("rfc5.7_256_byte_binary", frame(BINARY, bytes(range(256))))
    w("binary_64bit_length_form", frame(BINARY, b"x" * 300, length_form=127))
    w("non_minimal_16bit_length", frame(TEXT, "short", length_form=126))
    w("ping_between_fragments", frame(TEXT, "one ", fin=False) + frame(PING, "p") +
      frame(CONT, "two ", fin=False) + frame(PONG) + frame(CONT, "three"))
    w("utf8_split_across_fragments", frame(TEXT, b"caf\xc3", fin=False) + frame(CONT, b"\xa9 \xf0\x9f", fin=False) +
      frame(CONT, b"\x98\x80"))
    w("empty_messages", frame(TEXT) + frame(BINARY) + frame(TEXT, fin=False) + frame(CONT))
    w("zero_mask_chat", frame(TEXT, '{"type":"say","text":"hi"}', mask=ZERO_MASK))
    w("close_empty", frame(CLOSE))
    w("close_1000_bye", frame(CLOSE, close_payload(1000, b"bye")))
    w("close_1001_after_text", frame(TEXT, "last words") + frame(CLOSE, close_payload(1001)))
    w("close_4999_max_reason", frame(CLOSE, close_payload(4999, b"r" * 123)))
    w("close_1005_is_invalid", frame(CLOSE, close_payload(1005)))
    w("close_999_is_invalid", frame(CLOSE, close_payload(999)))
    w("close_one_byte", frame(CLOSE, b"\x03"))
    w("close_bad_utf8_reason", frame(CLOSE, close_payload(1000, b"\xc0\xaf")))
    w("invalid_utf8_text", frame(TEXT, b"ok\xed\xa0\x80"))
    w("truncated_utf8_text", frame(TEXT, b"ok\xe2\x82"))
    w("unmasked_text", frame(TEXT, "no mask", masked=False))
    w("rsv1_set", frame(TEXT, "deflate?", rsv=0x40))
    w("reserved_opcode_3", frame(0x3, "?"))
    w("fragmented_ping", frame(PING, "p", fin=False))
    w("ping_126_bytes", frame(PING, b"p" * 126))
    w("length_top_bit", bytes([0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1]) + RFC_MASK)
    w("orphan_continuation", frame(CONT, "where from?"))
    w("interrupted_message", frame(TEXT, "a", fin=False) + frame(TEXT, "b"))
    w("truncated_header", bytes([0x81, 0xFE, 0x01]))
    w("truncated_payload", frame(TEXT, "complete") + frame(TEXT, "cut off here")[:9])
    w("many_small_frames", b"".join(frame(TEXT, "m%d" % i) for i in range(40)))


# ===== UTF-8 (RFC 3629) =====

def utf8_seeds():
    w = lambda name, data: write("utf8", name, data)
    w("ascii", "hello, world; long enough for the eight-byte ASCII path")
    w("mixed_scripts", "Ħello Καλημέρα こんにちは 😀 \u2028 end")
    w("boundaries_valid", "\u007f\u0080\u07ff\u0800\ud7ff\ue000\uffff\U00010000\U0010ffff".encode("utf-8"))
    w("surrogate_ed_a0_80", b"a\xed\xa0\x80b")
    w("overlong_c0_af", b"\xc0\xaf")
    w("overlong_e0_80_af", b"\xe0\x80\xaf")
    w("overlong_f0_80_80_af", b"\xf0\x80\x80\xaf")
    w("above_10ffff_f4_90", b"\xf4\x90\x80\x80")
    w("f5_and_ff", b"\xf5\x80\x80\x80\xff")
    w("stray_continuation", b"abc\x80def")
    w("truncated_three_byte", b"\xe2\x82")
    w("truncated_four_byte", b"ok \xf0\x9f\x98")
    w("ascii_then_emoji_at_offset_7", b"1234567\xf0\x9f\x98\x80" + b"x" * 16)


# ===== JSON (RFC 8259) and chat requests =====

REQUESTS = [
    ("join", '{"type":"join","name":"alice","room":"rust"}'),
    ("say", '{"type":"say","text":"hello, room"}'),
    ("rename", '{"type":"rename","name":"alice2"}'),
    ("rooms", '{"type":"rooms"}'),
    ("stranger", '{"type":"stranger"}'),
    ("next", '{"type":"next"}'),
]


def json_seeds():
    w = lambda name, data: write("json", name, data)
    for name, text in REQUESTS:
        w("chat_" + name, text)
    w("welcome", '{"type":"welcome","id":7,"name":"guest-7","room":"lobby","member_count":2,'
      '"members":[{"id":3,"name":"alice"}],"history":[{"type":"message","room":"lobby","seq":41,'
      '"from_id":3,"from":"alice","text":"hi","ts":1763700000000}]}')
    w("numbers", '[0,-0,1,-1,1.5,-12.5e+3,1E2,1e308,1e-300,5e-324,123456789012345678901234567890]')
    w("number_overflow", '[1e400]')
    w("escapes", r'["\"\\\/\b\f\n\r\t","\u0000","\ud83d\ude00","\u2028\u2029","\u00e9"]')
    w("unpaired_surrogate", r'["\ud800x"]')
    w("raw_utf8_strings", '{"caf\u00e9":"\u65e5\u672c","emoji":"\U0001f600"}')
    w("literals", ' {"a" : true , "b" : false , "c" : null } ')
    w("nesting_16", "[" * 16 + "]" * 16)
    w("nesting_17", "[" * 17 + "]" * 17)
    w("duplicate_key", '{"type":"say","type":"join"}')
    w("many_keys_sorted_check", "{" + ",".join('"k%d":%d' % (i, i) for i in range(40)) + "}")
    w("many_keys_duplicate", "{" + ",".join('"k%d":%d' % (i % 30, i) for i in range(40)) + "}")
    w("trailing_comma", '{"a":1,}')
    w("leading_zero", '[01]')
    w("byte_order_mark", b'\xef\xbb\xbf{"a":1}')
    w("control_char_in_string", b'["a\x01b"]')
    w("invalid_utf8_in_string", b'["\xc3\x28"]')
    # A bad sequence right after valid characters, in one run of non-ASCII
    # bytes: the reader walks the run again to find where the bad one begins.
    w("invalid_utf8_after_valid_run", b'["\xc3\xa9\xe6\x97\xa5\xe2\x82", "\xc3\xa9\x80"]')


# ===== Redis replies (RESP2) =====

def bulk(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return b"$%d\r\n" % len(data) + data + b"\r\n"


def resp_array(*elements):
    return b"*%d\r\n" % len(elements) + b"".join(elements)


def resp_seeds():
    w = lambda name, data: write("resp", name, data)
    w("ok", "+OK\r\n")
    w("pong", "+PONG\r\n")
    w("error_noscript", "-NOSCRIPT No matching script. Please use EVAL.\r\n")
    w("error_wrongtype", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
    w("integer_one", ":1\r\n")
    w("integers_extreme", ":0\r\n:-1\r\n:9223372036854775807\r\n:-9223372036854775808\r\n")
    w("bulk_hello", "$5\r\nhello\r\n")
    w("bulk_empty", "$0\r\n\r\n")
    w("bulk_binary", bulk(b"a\r\nb\x00c\n\r\xff"))
    w("null_bulk", "$-1\r\n")
    w("null_array", "*-1\r\n")
    w("empty_array", "*0\r\n")
    w("subscribe_confirmations", resp_array(bulk("subscribe"), bulk("room:lobby"), b":1\r\n") +
      resp_array(bulk("subscribe"), bulk("room:rust"), b":2\r\n") +
      resp_array(bulk("psubscribe"), bulk("room:*"), b":3\r\n"))
    message = '{"type":"message","room":"lobby","seq":41,"from_id":3,"from":"alice","text":"hi","ts":1763700000000}'
    w("pubsub_messages", resp_array(bulk("message"), bulk("room:lobby"), bulk(message)) +
      resp_array(bulk("pmessage"), bulk("room:*"), bulk("room:rust"), bulk("x")) +
      resp_array(bulk("unsubscribe"), bulk("room:lobby"), b":0\r\n"))
    # EVALSHA of a publish script: the new sequence number and the epoch,
    # then a history page of entries.
    w("evalsha_seq_epoch", resp_array(b":42\r\n", bulk("1763700000000-0")))
    w("evalsha_history", resp_array(b":2\r\n", resp_array(bulk(message), bulk(message.replace("41", "42")))))
    w("nested_mixed", resp_array(resp_array(b":1\r\n", b"+two\r\n"), resp_array(), b"$-1\r\n", b"*-1\r\n",
                                 b"-ERR inner\r\n", resp_array(resp_array(resp_array(bulk("deep"))))))
    w("depth_8", b"*1\r\n" * 7 + b"*0\r\n")
    w("depth_9", b"*1\r\n" * 8 + b"*0\r\n")
    w("pipelined_replies", b"+OK\r\n:7\r\n" + bulk("v") + b"$-1\r\n-ERR no\r\n" + resp_array(bulk("a")))
    w("bulk_over_limit", "$2000000000\r\n")
    w("array_over_limit", "*65537\r\n")
    w("bare_lf", "+OK\n")
    w("length_leading_zero", "$05\r\nhello\r\n")
    w("negative_length", "$-2\r\n")
    w("integer_overflow", ":9223372036854775808\r\n")
    w("bulk_without_crlf", "$3\r\nfooX\r\n")
    w("resp3_map", "%1\r\n+a\r\n:1\r\n")
    w("truncated_message", resp_array(bulk("message"), bulk("room:lobby"), bulk(message))[:40])


# ===== Chat sessions (format in fuzz_chat.cpp) =====

def chat_session(options, steps):
    """steps: (client, bytes) to send, ("toggle", client), or ("timer", units)."""
    out = bytearray([options])
    for step in steps:
        if step[0] == "toggle":
            out.append(0xC0 + step[1])  # 0xC0 % 3 == 0, so +client picks the slot
        elif step[0] == "timer":
            out += bytes([0xE0, step[1]])
        else:
            client, data = step
            for start in range(0, len(data), 255):
                piece = data[start:start + 255]
                # The control byte must be below 0xC0 and name the client.
                out += bytes([3 * (start // 255 % 60) + client, len(piece)]) + piece
    return bytes(out)


def say(client, text, mask=ZERO_MASK):
    return (client, frame(TEXT, text, mask=mask))


def chat_seeds():
    w = lambda name, data: write("chat", name, data)
    # Options byte: 0x0F is the server's defaults (threshold 100, history 50);
    # 0x0C has threshold 0, so every room is "large" and presence goes by timer.
    every_room_large = 0x0C
    w("join_say_rename_rooms", chat_session(0x0F, [
        say(0, REQUESTS[0][1]), say(1, '{"type":"join","name":"bob","room":"rust"}'),
        say(0, REQUESTS[1][1]), say(1, "plain text is a say"), say(1, REQUESTS[2][1]),
        say(2, REQUESTS[3][1]), say(0, '{"type":"join","room":"RUST","name":"Alice"}')]))
    w("history_replay", chat_session(0x0B, [
        say(0, '{"type":"say","text":"m%d"}' % i) for i in range(5)] + [
        say(1, '{"type":"join","room":"lobby","name":"late"}'), ("toggle", 2), ("toggle", 2)]))
    w("stranger_pairing", chat_session(0x07, [
        say(0, REQUESTS[4][1]), say(1, REQUESTS[4][1]), say(0, '{"type":"say","text":"hi stranger"}'),
        say(1, "hello!"), say(2, REQUESTS[4][1]), say(0, REQUESTS[5][1]), ("toggle", 2),
        say(1, '{"type":"rename","name":"in-stranger-mode"}'), say(1, REQUESTS[0][1])]))
    w("presence_timer", chat_session(0x01, [
        ("toggle", 1), ("timer", 20), ("toggle", 1), ("toggle", 2), ("timer", 20), ("timer", 20),
        say(0, '{"type":"join","room":"big"}'), ("timer", 5)]))
    w("errors", chat_session(every_room_large, [
        say(0, "{not json"), say(0, "[1,2]"), say(0, '{"type":7}'), say(0, '{"type":"dance"}'),
        say(0, '{"type":"say"}'), say(0, '{"type":"say","text":""}'), say(0, '{"type":"join","name":"guest-2"}'),
        say(0, '{"type":"join","name":" pad"}'), say(0, '{"type":"join","room":"' + "r" * 33 + '"}'),
        say(1, '{"type":"rename","name":"guest-1"}'), say(1, '{"type":"join","name":"GUEST-2"}'),
        say(2, '{"type":"join","name":"a\\u0000b"}'), say(2, '{"type":"say","text":"\\u2028\\"<>"}')]))
    w("name_taken", chat_session(0x0F, [
        say(0, '{"type":"rename","name":"zed"}'), say(1, '{"type":"rename","name":"ZED"}'),
        say(1, '{"type":"join","room":"other","name":"zed"}'), say(1, '{"type":"join","room":"lobby","name":"zed"}')]))
    w("long_text_and_fragments", chat_session(0x0F, [
        (0, frame(TEXT, '{"type":"say","text":"' + "x" * 4090 + '"}', mask=RFC_MASK)),
        (1, frame(TEXT, '{"type":"say",', fin=False, mask=ZERO_MASK) + frame(PING, "k", mask=ZERO_MASK) +
         frame(CONT, '"text":"joined up"}', mask=ZERO_MASK)),
        say(2, "x" * 4097)]))
    w("close_binary_error", chat_session(0x0F, [
        (0, frame(CLOSE, close_payload(1000), mask=ZERO_MASK)), say(0, "after close"),
        (1, frame(BINARY, b"\x00\x01", mask=ZERO_MASK)), (2, frame(TEXT, "unmasked", masked=False)),
        ("toggle", 0), ("toggle", 1), ("toggle", 2), say(2, "back again")]))
    # Bits 4-5 of the options byte = 2: at most 300 history bytes per welcome.
    w("history_bytes_cap", chat_session(0x2F, [
        say(0, '{"type":"say","text":"%s"}' % ("h%d" % i * 40)) for i in range(4)] + [
        say(1, '{"type":"join","room":"lobby","name":"late"}')]))
    # join, rooms, stranger and next share 1 per second, burst 5; a timer
    # step of 10 units is one second, one token.
    w("join_rate_limit", chat_session(0x0F, [
        say(0, '{"type":"join","room":"r%d"}' % i) for i in range(4)] + [
        say(0, '{"type":"rooms"}'), say(0, '{"type":"stranger"}'), say(0, '{"type":"next"}'),
        ("timer", 10), say(0, '{"type":"join","room":"after"}'), say(0, '{"type":"join","room":"again"}')]))
    w("rooms_paging", chat_session(0x0F, [
        say(1, '{"type":"join","room":"a"}'), say(2, '{"type":"join","room":"b"}'),
        say(0, '{"type":"rooms","offset":1,"limit":1}'), say(0, '{"type":"rooms","offset":1e300}'),
        say(0, '{"type":"rooms","limit":1000}'), say(1, '{"type":"rooms","offset":-1}'),
        say(1, '{"type":"rooms","limit":0.5}'), say(2, '{"type":"rooms","offset":"1"}')]))
    # The naming rule's Unicode branches (chat_names.h): folding that
    # changes a name's length in bytes (KELVIN SIGN to "k"), names refused
    # for an invisible, format, space or combining character, and a room
    # name folded beyond ASCII. Raw UTF-8 and \u escapes both, so mutations
    # reach the decoder either way.
    w("unicode_names", chat_session(0x0F, [
        say(0, r'{"type":"join","name":"\u00c4LICE","room":"Caf\u00e9"}'),
        say(1, r'{"type":"join","name":"\u00e4lice","room":"CAF\u00c9"}'),
        say(1, r'{"type":"join","name":"alice\u200b","room":"caf\u00e9"}'),
        say(1, r'{"type":"rename","name":"\u212aelvin"}'), say(2, r'{"type":"rename","name":"kelvin"}'),
        say(2, r'{"type":"join","name":"\u03a3\u03c3\u03c2","room":"\u03a3"}'),
        say(0, r'{"type":"rename","name":"gue\u017ft-9"}'), say(0, r'{"type":"rename","name":"\u00a0"}'),
        say(0, r'{"type":"rename","name":"a\u0301\u0301\u0301\u0301\u0301"}'),
        say(0, r'{"type":"join","room":"\u202eecila"}'), say(2, r'{"type":"rooms"}')]))
    w("unicode_names_raw_utf8", chat_session(0x0F, [
        say(0, '{"type":"join","name":"Zo\u00eb \U0001f980","room":"\u674e\u5c0f\u9f99"}'),
        say(1, '{"type":"join","name":"\u00c4lice\u200b","room":"x"}'),
        say(1, '{"type":"join","name":"\u0301\u0301","room":"x"}'),
        say(2, '{"type":"join","name":"\u212aelvin","room":"\u3000"}')]))
    w("rfc_mask_session", chat_session(0x0F, [
        say(0, REQUESTS[i][1], mask=RFC_MASK) for i in range(len(REQUESTS))]))


if __name__ == "__main__":
    http_seeds()
    frame_seeds()
    utf8_seeds()
    json_seeds()
    resp_seeds()
    chat_seeds()
