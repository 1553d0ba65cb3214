package middleware

import (
	"net"
	"net/http"
	"strings"
	"time"
)

// Headers in which Connection tells the faces about the client; any such
// header a client sends is replaced.
const (
	HeaderRemoteAddr = "X-Kox-Remote-Addr"
	HeaderSecure     = "X-Kox-Secure"
)

// Connection marks each request with its client's address and whether it
// arrived over TLS. trustProxy: X-Forwarded-Proto and X-Forwarded-For are
// believed, as they are behind a reverse proxy.
func Connection(trustProxy bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			addr, _, err := net.SplitHostPort(r.RemoteAddr)
			if err != nil {
				addr = r.RemoteAddr
			}
			secure := r.TLS != nil
			if trustProxy {
				if r.Header.Get("X-Forwarded-Proto") == "https" {
					secure = true
				}
				if first, _, _ := strings.Cut(r.Header.Get("X-Forwarded-For"), ","); strings.TrimSpace(first) != "" {
					addr = strings.TrimSpace(first)
				}
			}
			r.Header.Set(HeaderRemoteAddr, addr)
			r.Header.Del(HeaderSecure)
			if secure {
				r.Header.Set(HeaderSecure, "true")
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Secure reports whether Connection found the request secure.
func Secure(r *http.Request) bool { return r.Header.Get(HeaderSecure) == "true" }

// ClientAddr is the client's address as Connection found it.
func ClientAddr(r *http.Request) string { return r.Header.Get(HeaderRemoteAddr) }

// SessionCookie carries a browser's session token, for both faces.
const SessionCookie = "kox_session"

// MemberCookie carries a member's portal session. It is not the console's
// cookie, so one browser may hold both (an operator trying the portal).
const MemberCookie = "kox_member"

// SessionCookieFor is the cookie that keeps a session: HttpOnly,
// SameSite=Lax, Secure on HTTPS; an empty token clears it.
func SessionCookieFor(token string, expires time.Time, secure bool) *http.Cookie {
	return CookieFor(SessionCookie, token, expires, secure)
}

// CookieFor is a session cookie of the name (SessionCookie, MemberCookie).
func CookieFor(name, token string, expires time.Time, secure bool) *http.Cookie {
	c := &http.Cookie{Name: name, Value: token, Path: "/", Expires: expires, HttpOnly: true, Secure: secure,
		SameSite: http.SameSiteLaxMode}
	if token == "" {
		c.Expires, c.MaxAge = time.Time{}, -1
	}
	return c
}
