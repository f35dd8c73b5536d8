"""CSV exports as people make them: Excel's semicolons, cut-off quotes, huge cells, odd headers."""

from crisis.connectors.files import FileSource

HEADER = "at,platform,id,author,text\n"


def row(id_: str, text: str, sep: str = ",") -> str:
    return sep.join(["2017-05-13T09:00:00+02:00", "x", id_, "jens_hh", text]) + "\n"


def fetch_all(source):
    items, problems, cursor = [], [], None
    while True:
        page = source.fetch(cursor)
        items += page.items
        problems += page.problems
        cursor = page.cursor
        if not page.more:
            return items, problems


def read(tmp_path, content: str, page_size: int = 2):
    path = tmp_path / "export.csv"
    path.write_text(content, encoding="utf-8")
    return fetch_all(FileSource(path, page_size=page_size))


def test_a_cell_over_131072_characters_is_read_and_the_rows_after_it_too(tmp_path):
    items, problems = read(tmp_path, HEADER + row("1", "x" * 200_000) + row("2", "danach"))
    assert [c.external_id for c in items] == ["1", "2"] and problems == []
    assert len(items[0].text) == 200_000


def test_an_unbalanced_quote_is_one_bad_line_and_swallows_no_later_row(tmp_path):
    content = HEADER + row("1", "ok") + row("2", '"Internet tot, seit') + row("3", "auch weg")
    content += row("4", '"zwei\nZeilen"')
    items, problems = read(tmp_path, content)
    assert [c.external_id for c in items] == ["1", "3", "4"]
    assert items[2].text == "zwei\nZeilen"
    assert [p.where for p in problems] == ["export.csv:3"]
    assert "quote" in problems[0].reason


def test_line_numbers_are_the_physical_lines_of_the_file(tmp_path):
    content = HEADER + "2017-05-13T09:00:00+02:00,x,0\n" + row("1", '"eins\nzwei\ndrei"')
    content += "2017-05-13T09:00:00+02:00,x,2\n" + row("3", "ok") + "kaputt,x,4,anna,text\n"
    items, problems = read(tmp_path, content)
    assert [c.external_id for c in items] == ["1", "3"]
    assert [p.where for p in problems] == ["export.csv:2", "export.csv:6", "export.csv:8"]


def test_empty_text_is_accepted_as_in_jsonl(tmp_path):
    items, problems = read(tmp_path, HEADER + row("1", "") + row("2", '""'))
    assert [(c.external_id, c.text) for c in items] == [("1", ""), ("2", "")]
    assert problems == []


def test_semicolon_separated_files_from_german_excel_are_read(tmp_path):
    content = "\ufeffat;platform;id;author;text\n" + row("1", '"Kein Netz; seit 9 Uhr"', ";")
    items, problems = read(tmp_path, content)
    assert problems == []
    assert [(c.external_id, c.text) for c in items] == [("1", "Kein Netz; seit 9 Uhr")]


def test_a_wrong_header_is_named_once_instead_of_every_row_missing_text(tmp_path):
    content = "date,network,ident,user,message\n" + row("1", "a") + row("2", "b")
    items, problems = read(tmp_path, content)
    assert items == []
    assert len(problems) == 1 and problems[0].where == "export.csv:1"
    assert "header" in problems[0].reason and "'text'" in problems[0].reason
    assert "date, network, ident, user, message" in problems[0].reason
