"""Privacy notices: reading any school's notice and checking it against UK GDPR Arts 13 and 14."""
