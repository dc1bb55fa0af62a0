"""The admin web page: one-time sign-in links from chat, then programs, people, import."""
