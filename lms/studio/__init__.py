"""The trainer's studio: the courses a trainer owns (admins: every course) and their quizzes."""
