// websocket.cpp: which close codes a peer may send (RFC 6455 section 7.4).
//
// Section 7.4.1 defines 1000-1003 and 1007-1011 for use on the wire; 1005,
// 1006 and 1015 are reserved for reporting a close locally and must never be
// sent; 1004 is reserved outright. 3000-3999 belong to libraries and frameworks
// (registered with IANA) and 4000-4999 to applications (section 7.4.2).
//
// Deliberately left out: the later IANA registrations 1012-1014 (service
// restart, try again later, bad gateway). chatd follows the RFC's own list
// strictly, so a peer sending them gets a protocol error (1002).
#include "websocket/websocket.h"

bool is_valid_close_code(uint16_t code) {
  if (code >= 1000 && code <= 1003) return true;
  if (code >= 1007 && code <= 1011) return true;
  return code >= 3000 && code <= 4999;
}
