"""The workbench's "add as phrasing" on a FAQ folder it cannot write: a refusal, never a 500."""

from __future__ import annotations

from tests.staff import test_admin
from tests.staff.conftest import sign_in
from tests.staff.test_admin import ODD, Bench

# the admin pages' bench and the fixtures it takes, as test_admin.py builds them
bench, encoder, with_insights = test_admin.bench, test_admin.encoder, test_admin.with_insights


def test_an_unwritable_faq_folder_is_a_refusal_shown_to_the_admin(bench: Bench) -> None:
    account = bench.folder / "account.yaml"
    before = account.read_text(encoding="utf-8")
    # What root cannot write either (tests run as root, chmod would not stop it): a directory
    # where the editor writes its copy before the rename.
    (bench.folder / ".account.yaml.edit").mkdir()
    csrf = sign_in(bench.client, "ada")
    form = {"csrf": csrf, "entry": "individual-vs-company", "lang": "en", "text": ODD}
    refused = bench.client.post("/staff/admin/unanswered/phrasing", data=form)
    assert refused.status_code == 422, refused.text
    assert "The FAQ was not changed:" in refused.text
    assert "FAQ folder cannot be written" in refused.text and 'role="alert"' in refused.text
    assert account.read_text(encoding="utf-8") == before
    assert bench.faq.matcher().ask(ODD).faq_id != "individual-vs-company"
    (bench.folder / ".account.yaml.edit").rmdir()  # made writable: the same form lands
    done = bench.client.post("/staff/admin/unanswered/phrasing", data=form)
    assert done.status_code == 200, done.text
    assert ODD in account.read_text(encoding="utf-8")
