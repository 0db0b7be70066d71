"""The memo (城市运行监测专报): findings as sentences, one action per alert, print layout."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from govanalytics.report import memo_content
from govanalytics.report._memo_text import disease_group

MANIFEST = {"week": "2026-W47", "inputs": {"dynamic/clinic_counts.parquet": "ab" * 32}}

#: What officials must never read in the memo: file names, digests, paths, code names.
DENY = re.compile(
    r"\.(parquet|ipynb|json|csv|py)\b|[0-9a-f]{12,}|(?<![\w])/[\w.-]+/|[a-z]+_[a-z_]+|sha256"
)


def _alert(kind: str, severity: str, place: str, code: str, message: str, **extra) -> dict:
    return {"kind": kind, "severity": severity, "place": place, "place_code": code,
            "date": "2026-11-16", "message": message, **extra}  # fmt: skip


def _summaries() -> dict:
    """Summaries shaped like the real disease table's (乙肝 high, 手足口病 medium) and the
    sample city's (hot issue, school places), plus a low alert the memo leaves out."""
    health = [
        _alert("health_alarm", "high", "天津市", "120000000000",
               "天津市乙肝本月460例，高于预期168例及预警阈值231例", disease="乙肝"),
        _alert("health_alarm", "medium", "浙江省", "330000000000",
               "浙江省手足口病本月15833例，高于预期4318例及预警阈值10630例", disease="手足口病"),
        _alert("health_alarm", "high", "南岭区", "449903000000",
               "南岭区流感样病例本周198例，高于预期79例及预警阈值113例",
               disease="influenza_like_illness"),
    ]  # fmt: skip
    hot = [
        _alert("hot_issue", "high", "北山区明岭社区", "449904000000",
               "北山区明岭社区自11月14日起“停水 · 东方花园 · 大面积 · 抢修”相关留言集中出现（80条）"),
        _alert("hot_issue", "low", "西江区", "449902000000", "西江区“噪音”相关留言（少于15条）"),
    ]  # fmt: skip
    surge = [
        _alert("service_surge", "high", "北山区", "449904000000",
               "北山区义务教育入学：2026年11月01日起本期已受理125件，容量69个（181%），"
               "按当前速度预计全期170件，往年同期平均0件；累计申请已超过容量（11月12日起）。",
               service="义务教育入学"),
    ]  # fmt: skip
    return {
        "health_risk": {"title": "健康风险预测与预警", "alerts": health,
                        "actions": ["南岭区：加强学校和托幼机构晨午检。"],
                        "findings": [], "headlines": []},
        "hot_words": {"title": "群众诉求热词", "alerts": hot, "findings": [],
                      "headlines": [{"key": "comments", "label": "留言数", "value": 755}]},
        "service_demand": {"title": "政务服务需求", "alerts": surge, "findings": [],
                           "actions": ["将乘车卡名册交公交集团。"], "headlines": []},
    }  # fmt: skip


def test_every_high_alert_has_an_action_and_every_action_a_finding() -> None:
    memo = memo_content(_summaries(), MANIFEST)
    alerts = [a for s in _summaries().values() for a in s["alerts"]]
    for a in alerts:
        covered = [x for x in memo.actions if a["place"] in x]
        if a["severity"] == "high":
            assert covered, f"no action for the high alert in {a['place']}"
        if a["severity"] == "low":  # not reported, so no action
            assert not covered and not any(a["place"] in f for f in memo.findings)
    # no action without a finding: every place an action names is in the findings
    places = {a["place"] for a in alerts}
    for action in memo.actions:
        named = [p for p in places if p in action]
        assert named and all(any(p in f for f in memo.findings) for p in named), action
    # the chapters' own actions (bus cards, a copy of the influenza text) are not taken
    assert not any("乘车卡" in x for x in memo.actions)


def test_actions_worded_by_disease_and_service() -> None:
    memo = memo_content(_summaries(), MANIFEST)
    (hep,) = [x for x in memo.actions if "天津市" in x]
    assert "乙肝" in hep and "晨午检" not in hep and "筛查" in hep
    (flu,) = [x for x in memo.actions if "南岭区" in x]
    assert "晨午检" in flu and "流感样病例" in flu
    (hfm,) = [x for x in memo.actions if "浙江省" in x]
    assert "托幼机构" in hfm and "消毒" in hfm
    (school,) = [x for x in memo.actions if "义务教育入学" in x]
    assert "教育部门" in school and "学位" in school
    (water,) = [x for x in memo.actions if "停水" in x]
    assert "供水企业" in water
    assert disease_group("Hepatitis B") == disease_group("乙型肝炎") == "bloodborne"
    assert disease_group("甲肝") == "enteric" and disease_group("不明病种") == "other"


def test_findings_are_sentences_with_place_number_and_comparison() -> None:
    memo = memo_content(_summaries(), MANIFEST)
    assert len(memo.findings) == 5  # four high, one medium; the low alert left out
    assert memo.findings[0].startswith("天津市乙肝")  # high before medium, then by order
    for f in memo.findings:
        assert f.endswith("。") and "·" not in f and re.search(r"\d", f), f
    (water,) = [f for f in memo.findings if "停水" in f]
    assert "北山区明岭社区" in water and "80条" in water and "11%" in water  # 80 of 755
    (school,) = [f for f in memo.findings if "义务教育入学" in f]
    assert "容量（69个）的181%" in school
    assert memo.lead.startswith("11月16日至11月22日") and "高级别4条" in memo.lead


def test_header_and_plain_data_notes() -> None:
    memo = memo_content(_summaries(), MANIFEST)
    assert (memo.issue, memo.issuer, memo.date) == ("2026年第47期", "数据分析组", "2026年11月23日")
    assert memo_content(_summaries(), MANIFEST, issuer="某区大数据局").issuer == "某区大数据局"
    assert memo.sources == ["门诊病例周报"]
    own_file = {**MANIFEST, "inputs": {"cnids_province_monthly.parquet": "cd" * 32}}
    health_only = {"health_risk": _summaries()["health_risk"]}
    assert memo_content(health_only, own_file).sources == ["门诊病例周报"]  # by the chapter
    for text in memo.texts():
        assert not DENY.search(text), text


def test_no_alerts_no_actions() -> None:
    quiet = {
        "overview": {"title": "城市概况", "alerts": [],
                     "findings": ["全市人口登记库共 24,000 人。", "停水 · 雅苑 · 富康"],
                     "headlines": [{"key": "a", "label": "本周办件申请", "value": 109,
                                    "previous": 119}]},
    }  # fmt: skip
    memo = memo_content(quiet, MANIFEST)
    assert memo.actions == [] and "未出现预警" in memo.lead
    assert "停水 · 雅苑 · 富康" not in memo.findings  # keyword strings are not findings
    assert any("比上期减少8%" in f for f in memo.findings)


def test_memo_chart_is_about_the_top_alerts_disease(tmp_path: Path) -> None:
    from govanalytics.report._memo_figures import draw_memo_figures

    weeks = pl.date_range(pl.date(2026, 9, 7), pl.date(2026, 11, 16), "1w", eager=True)
    rows = []
    for disease, rise in (("乙肝", 3.0), ("流感样病例", 1.0)):
        rows += [
            {"region_code": "120000000000", "disease": disease, "week_start": w,
             "observed": int(20 + rise * i), "expected": 20.0, "upper_bound": 30.0,
             "alarm": 20 + rise * i > 30}
            for i, w in enumerate(weeks)
        ]  # fmt: skip
    (tmp_path / "health_risk").mkdir()
    pl.DataFrame(rows).write_parquet(tmp_path / "health_risk" / "alarms.parquet")
    summaries = _summaries()
    memo = memo_content(summaries, MANIFEST)
    written = draw_memo_figures(tmp_path, memo, summaries, MANIFEST)
    assert written == ["memo_chart.png"]  # no boundaries in the manifest: no map drawn
    assert memo.chart_figure == "memo_chart.png" and "天津市乙肝" in memo.chart_caption
    assert memo.map_figure is None


def test_memo_pdf_one_or_two_pages_with_page_numbers(weekly_report) -> None:
    from pypdf import PdfReader

    from govanalytics.report._browser import find_chromium

    if find_chromium() is None:
        pytest.skip(weekly_report.manifest["memo"]["memo.pdf"])
    reader = PdfReader(weekly_report.path / "memo.pdf")
    assert 1 <= len(reader.pages) <= 2
    n = len(reader.pages)
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    assert f"—1/{n}—" in text and "第47期" in text and "数据分析组" in text
    assert "工作建议" in text and not DENY.search(text)
    # on the sample city: every high alert has its action, and the chart is the top alert's
    from govanalytics.report._index import all_alerts, read_summaries

    summaries = read_summaries(weekly_report.path, [r.name for r in weekly_report.runs])
    memo = memo_content(summaries, weekly_report.manifest)
    for a in all_alerts(summaries):
        if a["severity"] == "high":
            assert any(a["place"] in x for x in memo.actions), a["message"]
    top = memo.top_alert
    assert top is not None
    if top["kind"] == "health_alarm":  # the chart's caption names the alert's place and disease
        from govanalytics.health import disease_name

        assert f"{top['place']}{disease_name(top['disease'])}：实际病例" in text
    # the figures are drawn at their printed size (8-pt text prints at 8 pt)
    from PIL import Image

    with Image.open(weekly_report.path / "memo_chart.png") as image:
        assert abs(image.width / 200 - 3.35) < 0.05


def test_memo_docx_lists_restart_and_header_footer(weekly_report) -> None:
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(str(weekly_report.path / "memo.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "城市运行监测专报" in text and "工作建议" in text and "数据说明" in text
    ids = []
    for p in doc.paragraphs:
        num = p._p.pPr.find(qn("w:numPr")) if p._p.pPr is not None else None
        if num is not None:
            ids.append(num.find(qn("w:numId")).get(qn("w:val")))
    lists = list(dict.fromkeys(ids))
    assert len(lists) == 2  # findings and actions, each its own numbering
    numbering = doc.part.numbering_part.element
    for num_id in lists:
        (num,) = [n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == num_id]
        assert num.find(f"{qn('w:lvlOverride')}/{qn('w:startOverride')}").get(qn("w:val")) == "1"
    section = doc.sections[0]
    assert "第47期" in section.header.paragraphs[0].text
    footer = section.footer.paragraphs[0]
    assert "数据分析组" in footer.text and "PAGE" in footer._p.xml
