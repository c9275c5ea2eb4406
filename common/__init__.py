"""Web helpers shared by the apps (rate limits, redirects, the session's uploads): they sit
below every app, so no app imports another's views."""
