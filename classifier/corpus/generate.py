"""Reproducible generator for the shipped training corpus.

Why a generator: we may not ship real citizens' messages, so we write phrase
banks per leaf (phrases_*.py) and combine them with style templates, the demo
county's place names, filler words, typos and a secondary concern. A fixed
seed makes ``messages.jsonl`` byte-for-byte reproducible.

Run ``python -m classifier.corpus.generate [--n 8000] [--seed 12345]``.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from pathlib import Path

from classifier.corpus.phrases_a import PHRASES_A
from classifier.corpus.phrases_b import PHRASES_B
from classifier.corpus.phrases_c import PHRASES_C
from classifier.corpus.phrases_d import PHRASES_D
from classifier.corpus.phrases_e import PHRASES_E
from classifier.corpus.places import COUNTY, STREETS, TOWNSHIPS
from classifier.taxonomy import LEAVES

PHRASES: dict[str, dict[str, list[str]]] = {**PHRASES_A, **PHRASES_B, **PHRASES_C, **PHRASES_D, **PHRASES_E}
OUT = Path(__file__).with_name("messages.jsonl")
STYLES = ("call", "letter", "web", "short", "report", "call", "web")
VAGUE_SHARE = 0.07

DURATIONS = ["三天", "一个多星期", "半个月", "快两个月", "好几年", "大半年", "十几天", "一年多",
             "好长时间", "差不多一个月", "两三个月"]
FILLERS = ["那个", "就是", "嗯", "呃", "就是说", "怎么讲呢", "你晓得吧", "是这样的", "反正", "然后"]
CALL_OPEN = ["喂，你好，是12345吧", "喂喂，听得到吗，我想反映个事", "你好，我要投诉", "你好啊，我问一下",
             "喂，是县长热线吗", "你好，我打过好几次了", "喂，同志你好", "你好，我是{home}的"]
CALL_CLOSE = ["你们管不管啊", "你们一定要帮我们解决啊", "搞快点啊，拜托了", "好，就这样，谢谢啊",
              "我等你们回电话", "再不管我就去县政府了", "麻烦你们了啊", "你们到底管不管嘛"]
LETTER_OPEN = ["尊敬的县长：您好！", "尊敬的领导：您好！", "尊敬的书记您好！", "县长信箱：", "尊敬的县政府领导："]
LETTER_INTRO = ["我是{home}的一名普通{role}，现将一件困扰我们多时的事情向您反映。",
                "我是{home}{role}，冒昧给您写信，反映一个实际问题。",
                "本人家住{home}，有一事恳请领导关注。"]
LETTER_CLOSE = ["恳请领导在百忙之中过问此事，此致敬礼！", "望领导重视，盼复。此致\n敬礼！",
                "特此反映，恳请予以解决。", "谢谢领导！一个{town}的老百姓", "以上情况属实，恳请调查处理。"]
WEB_TITLE = ["关于{place}的问题", "{place}问题反映", "投诉：{place}", "咨询一个问题", "反映情况",
             "请领导关注{place}", "求助", "建议", "{place}的事能不能管一管"]
BACKGROUND = ["这个问题已经反映过好多次了", "打了好多次电话都没有用", "周边群众意见很大",
              "家里有老人小孩", "大家都很着急", "村里好多人都是这个情况", "找过社区也没解决",
              "天气又热", "我们是普通老百姓", "白天还要上班", "不知道该找哪个部门"]
GENERIC_ASK = ["请相关部门尽快处理", "希望尽快解决", "请给个答复", "请帮忙协调一下", "麻烦派人来看看"]
LATER = ["我们这里", "那边", "这里", "那一块"]
TYPOS = {"的": "得", "在": "再", "已经": "以经", "反映": "反应", "现在": "现再", "一直": "一值",
         "投诉": "头诉", "解决": "解绝", "根本": "跟本", "希望": "希忘", "严重": "严种", "物业": "物叶",
         "路灯": "路登", "低保": "底保", "工资": "工兹", "噪音": "燥音", "麻烦": "麻繁", "垃圾": "拉圾",
         "报销": "报消", "小区": "小曲", "派出所": "派处所", "补贴": "补帖"}
SECONDARY = ["另外，", "还有就是，", "顺便说一下，", "对了，", "再一个，", "我还想说，"]
VAGUE = ["我想问一下{a}的事情归哪个部门管", "就是{a}，你们能不能来看一下", "上次说的那个事，{b}，到现在没人管",
         "{a}，不知道找谁", "我反映的问题还没处理，{b}", "你好，请问{a}这个怎么办", "我要反映情况，就是那个{b}"]


def _place(rng: random.Random) -> tuple[str, str]:
    """A (location phrase, township) pair in the demo county."""
    town = rng.choice(list(TOWNSHIPS))
    village = rng.choice(TOWNSHIPS[town])
    loc = rng.choice([f"{town}{village}", village, rng.choice(STREETS), f"{rng.choice(STREETS)}附近",
                      f"{village}{rng.randint(1, 12)}组", f"{COUNTY}{town}", f"{town}"])
    return loc, town


def _core(rng: random.Random, bank: dict[str, list[str]], loc: str, used: list[int]) -> str:
    """Fill one core sentence; only the first mention names the place."""
    tpl = rng.choice(bank["core"])
    here = loc if not used else rng.choice(LATER)
    if "{loc}" in tpl:
        used.append(1)
    return tpl.format(loc=here, t=rng.choice(DURATIONS), a=rng.choice(bank["a"]), b=rng.choice(bank["b"]))


def _typos(rng: random.Random, text: str) -> str:
    """Apply a few typing errors and homophones, as real messages have."""
    for right, wrong in TYPOS.items():
        if right in text and rng.random() < 0.25:
            text = text.replace(right, wrong, 1)
    return text


def _body(rng: random.Random, code: str, loc: str, n_core: int) -> list[str]:
    bank = PHRASES[code]
    used: list[int] = []
    picks = rng.sample(range(len(bank["core"])), k=min(n_core, len(bank["core"])))
    parts = [_core(rng, {**bank, "core": [bank["core"][i]]}, loc, used) for i in picks]
    if rng.random() < 0.5:
        parts.insert(rng.randint(1, len(parts)), rng.choice(BACKGROUND))
    return parts


def _secondary(rng: random.Random, code: str, loc: str) -> str:
    """One sentence about another leaf, so messages mix topics."""
    other = rng.choice([c for c in PHRASES if c != code])
    return rng.choice(SECONDARY) + _core(rng, PHRASES[other], loc, [1])


def _vague(rng: random.Random, code: str) -> str:
    """A short, under-specified message: only a slot word hints at the leaf.

    Real lines carry many of these; they teach the model to be unsure.
    """
    bank = PHRASES[code]
    text = rng.choice(VAGUE).format(a=rng.choice(bank["a"]), b=rng.choice(bank["b"]))
    if rng.random() < 0.5:
        text = rng.choice(CALL_OPEN).format(home=_place(rng)[1]) + "，" + text
    return text + rng.choice(["", "，" + rng.choice(BACKGROUND), "，" + rng.choice(CALL_CLOSE)])


def message(rng: random.Random, code: str) -> tuple[str, str]:
    """One synthetic message for leaf ``code``; returns (text, style)."""
    if rng.random() < VAGUE_SHARE:
        return _vague(rng, code), "vague"
    style = rng.choice(STYLES)
    loc, town = _place(rng)
    home = rng.choice([f"{town}{rng.choice(TOWNSHIPS[town])}", town, loc])
    bank = PHRASES[code]
    ask = rng.choice(bank["ask"] + GENERIC_ASK[:2])
    if style == "short":
        parts = _body(rng, code, loc, 1)
        text = "，".join(parts) + (f"，{ask}" if rng.random() < 0.5 else "")
    elif style == "call":
        parts = _body(rng, code, loc, rng.randint(2, 3))
        parts = [rng.choice(FILLERS) + p if rng.random() < 0.5 else p for p in parts]
        if rng.random() < 0.45:
            parts.insert(rng.randint(0, len(parts)), _secondary(rng, code, loc))
        opener = rng.choice(CALL_OPEN).format(home=home)
        text = "，".join([opener, *parts, ask, rng.choice(CALL_CLOSE)])
        text = text.replace("，", rng.choice(["，", "，", " ", "，嗯，"]), rng.randint(0, 2))
    elif style == "letter":
        parts = _body(rng, code, loc, 3)
        intro = rng.choice(LETTER_INTRO).format(home=home, role=rng.choice(["居民", "村民", "市民", "群众"]))
        body = "，".join(parts) + "。"
        if rng.random() < 0.35:
            body += _secondary(rng, code, loc) + "。"
        close = rng.choice(LETTER_CLOSE).format(town=town)
        text = f"{rng.choice(LETTER_OPEN)}{intro}{body}{ask}。{close}"
    elif style == "report":
        parts = _body(rng, code, loc, rng.randint(1, 2))
        text = f"【{rng.choice(['数字城管', '网格员上报', 'APP留言', '微信公众号'])}】{loc}：" + "，".join(parts) + "。"
    else:
        parts = _body(rng, code, loc, rng.randint(1, 3))
        title = rng.choice(WEB_TITLE).format(place=loc)
        extra = _secondary(rng, code, loc) + "。" if rng.random() < 0.35 else ""
        text = f"{title}。" + "，".join(parts) + "。" + extra + ask + rng.choice(["。", "！", "，谢谢！", "?"])
    if rng.random() < 0.3:
        text = _typos(rng, text)
    return text, style


def generate(n: int = 8000, seed: int = 12345, unique: bool = True) -> Iterator[dict[str, str]]:
    """Yield ``n`` roughly balanced records (round-robin over leaves)."""
    rng = random.Random(seed)
    codes = [lf.code for lf in LEAVES]
    seen: set[str] = set()
    produced = 0
    attempts = 0
    while produced < n:
        code = codes[produced % len(codes)] if unique else rng.choice(codes)
        text, style = message(rng, code)
        attempts += 1
        if unique and text in seen and attempts < n * 20:
            continue
        seen.add(text)
        produced += 1
        yield {"text": text, "label": code, "style": style}


def main(argv: list[str] | None = None) -> None:
    """Rewrite messages.jsonl (or --out) from the fixed seed."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=8000)
    ap.add_argument("--seed", type=int, default=12345)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    with args.out.open("w", encoding="utf-8") as fh:
        for rec in generate(args.n, args.seed):
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"wrote {args.n} messages to {args.out}")


if __name__ == "__main__":
    main()
