"""The classroom: grading a class's submissions, hand marking, feedback and the gradebook.

This layer imports the content modules and the notebook editions, never the book (see ``alliance/README.md``).
"""
