"""Where the book is published: one setting, ``html.baseurl`` and ``repository.url`` of ``_config.yml``.

:func:`apply_publication` sets the canonical address and the repository and launch (Binder) buttons from
it; the buttons are shown only when ``repository.url`` names a repository (empty, the default: none).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from alliance import paths


def config_path(app: Sphinx) -> Path:
    """The book's ``_config.yml`` (jupyter-book builds from the folder that holds it)."""
    return Path(app.srcdir) / "_config.yml"


def publication_settings(theme_options: dict[str, Any], repository: dict[str, Any] | None,
                         launch_buttons: dict[str, Any] | None, repository_url: str | None) -> dict[str, Any]:
    """``html_theme_options`` with the repository and launch buttons set from the one setting:
    with a ``repository_url``, the repository button and the launch buttons of ``launch_buttons``
    (``_config.yml``'s ``launch_buttons:``), on the branch and path of ``repository``; without,
    neither (sphinx-book-theme would otherwise link placeholders, or fail without a repository)."""
    options = {k: v for k, v in theme_options.items()
               if k not in ("repository_url", "repository_branch", "path_to_docs", "launch_buttons",
                            "use_repository_button", "use_issues_button", "use_edit_page_button")}
    if not repository_url:
        return {**options, "use_repository_button": False, "use_issues_button": False,
                "use_edit_page_button": False, "launch_buttons": {}}
    repository = repository or {}
    return {**options, "repository_url": repository_url, "repository_branch": repository.get("branch") or "main",
            "path_to_docs": repository.get("path_to_book") or "", "use_repository_button": True,
            "launch_buttons": dict(launch_buttons or {})}


def apply_publication(app: Sphinx, config: Any) -> None:
    """Set the published address (``html_baseurl``: canonical links) and the repository and launch
    buttons from ``html.baseurl`` and ``repository.url`` of ``_config.yml`` (see
    :func:`publication_settings`): the ``sphinx.config`` of ``_config.yml`` replaces the theme options
    jupyter-book derives from them, so this extension derives them once, here."""
    import yaml

    path = config_path(app)
    if not path.is_file():
        return
    book = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    config.html_baseurl = paths.published_url(path) or ""
    config.html_theme_options = publication_settings(dict(config.html_theme_options or {}), book.get("repository"),
                                                     book.get("launch_buttons"), paths.repository_url(path))

