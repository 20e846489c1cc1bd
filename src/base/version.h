// version.h: chatd's version, for --version and /metrics's chatd_build_info.
#pragma once

constexpr const char* kChatdVersion = "0.1.0";
