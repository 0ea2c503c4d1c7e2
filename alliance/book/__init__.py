"""Publishing the book: the Sphinx extension, the generated pages, PDF, EPUB and the theme's assets.

This layer imports the content modules and the notebook editions, never the classroom (see ``alliance/README.md``).
"""
