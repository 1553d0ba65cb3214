package web

import (
	"net/http"
	"time"

	"kox/internal/fault"
	"kox/internal/i18n"
	"kox/internal/middleware"
	"kox/internal/web/components"
)

func (s *Server) signInForm(q *request) error {
	if q.signedIn {
		return q.redirect("/")
	}
	return q.render(http.StatusOK, components.SignIn(components.SignInForm{}))
}

// signIn signs an operator in through the gate (throttled and locked out
// as the API's sign-in is) and keeps the session in the same cookie.
func (s *Server) signIn(q *request) error {
	email, password := q.r.PostFormValue("email"), q.r.PostFormValue("password")
	_, sess, err := s.Gate.SignIn(q.ctx, email, password, q.client())
	if err != nil {
		fe, ok := fault.As(err)
		if !ok {
			return err
		}
		return q.render(middleware.StatusOf[fe.Kind], components.SignIn(components.SignInForm{Email: email,
			Error: i18n.Error(components.Lang(q.ctx), err)}))
	}
	http.SetCookie(q.w, middleware.SessionCookieFor(sess.Token, sess.ExpiresAt, q.secure()))
	return q.redirect("/")
}

// signOut ends the session and clears its cookie.
func (s *Server) signOut(q *request) error {
	if c, err := q.r.Cookie(middleware.SessionCookie); err == nil {
		if err := s.Gate.SignOut(q.ctx, c.Value); err != nil {
			s.Log.WarnContext(q.ctx, "web: sign out", "err", err)
		}
	}
	http.SetCookie(q.w, middleware.SessionCookieFor("", time.Time{}, q.secure()))
	return q.redirect("/signin")
}
