"""Deterministic benchmark corpus: N stories over N/30 days, every content-model key.

    python bench/generate.py --stories 10000 --seed 7

writes ``bench/out/corpus-n10000-s7/content/`` (``stories/``, ``digests/``,
``images/``) and reuses it when it is already complete. The same N and seed
give the same files, byte for byte, on any machine.
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
START = date(2016, 1, 4)
STORIES_PER_DAY = 30
DONE = ".complete"

# Categories of the sample site's two sections, plus one in neither (it goes
# to the first section).
CATEGORIES = [
    "Economy",
    "Markets",
    "Finance",
    "Politics",
    "World",
    "Companies",
    "Technology",
    "Energy",
    "Property",
    "Autos",
    "Lifestyle",
]
SECTIONS = ["policy", "business"]
KICKERS = ["In Depth", "Analysis", "Opinion", "Interview", "Explainer", "Exclusive"]
CREDITS = ["Lin Wei/CX Newsroom", "Zhao Min/CX Newsroom", "Wire photo", "Handout"]
IMAGES = ["harbour.png", "skyline.png", "fields.png", "factory.png"]
IMAGE_COLOURS = [(31, 78, 121), (140, 60, 40), (70, 120, 50), (90, 90, 90)]

_SYLLABLES = [
    "ba", "cor", "da", "el", "fin", "gra", "hu", "in", "jo", "ka", "lu", "mer",
    "no", "ol", "pra", "qui", "ro", "sa", "ten", "ul", "va", "wen", "xi", "yo",
    "zan", "tri", "sto", "mar", "ket", "pol", "cy", "bank", "rate", "port",
]  # fmt: skip


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choices(_SYLLABLES, k=rng.randint(1, 4))))
    return sorted(words)


def _sentence(rng: random.Random, vocab: list[str], low: int, high: int) -> str:
    words = rng.choices(vocab, k=rng.randint(low, high))
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def _paragraphs(rng: random.Random, vocab: list[str], words: int) -> list[str]:
    paragraphs: list[str] = []
    left = words
    while left > 0:
        sentences = []
        for _ in range(rng.randint(3, 6)):
            sentence = _sentence(rng, vocab, 8, 20)
            sentences.append(sentence)
            left -= sentence.count(" ") + 1
            if left <= 0:
                break
        paragraphs.append(" ".join(sentences))
    return paragraphs


def _write_images(folder: Path) -> None:
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    for index, (name, colour) in enumerate(zip(IMAGES, IMAGE_COLOURS, strict=True)):
        img = Image.new("RGB", (480, 320), colour)
        draw = ImageDraw.Draw(img)
        for k in range(6):
            offset = 40 * k + 10 * index
            draw.rectangle((offset, 200 - offset // 2, offset + 60, 320), fill="white")
        img.save(folder / name, format="PNG", optimize=False)


def corpus_dir(stories: int, seed: int) -> Path:
    return OUT / f"corpus-n{stories}-s{seed}"


def generate(stories: int, seed: int = 7, out: Path | None = None) -> Path:
    """Write the corpus (or reuse a complete one); return its content folder."""
    root = out or corpus_dir(stories, seed)
    content = root / "content"
    if (root / DONE).is_file():
        return content
    if root.exists():
        import shutil

        shutil.rmtree(root)
    rng = random.Random(seed)
    vocab = _vocabulary(rng, 3000)
    tag_pool = sorted({" ".join(rng.choices(vocab, k=2)).title() for _ in range(240)})
    days = max(1, stories // STORIES_PER_DAY)
    _write_images(content / "images")

    # Which day each story runs on: evenly spread, so every day has ~30.
    per_day: dict[int, list[str]] = {}
    slugs: list[str] = []
    for i in range(stories):
        day_index = i * days // stories
        slug = f"{vocab[i % len(vocab)]}-{i:06d}"
        slugs.append(slug)
        per_day.setdefault(day_index, []).append(slug)

    for i, slug in enumerate(slugs):
        day_index = i * days // stories
        day = START + timedelta(days=day_index)
        first_of_day = per_day[day_index][0] == slug
        # Tags: a few "running stories" that trend for a few weeks, plus noise.
        trending = tag_pool[(day_index // 14 + rng.randint(0, 4)) % len(tag_pool)]
        tags = {trending} if rng.random() < 0.6 else set()
        tags.update(rng.sample(tag_pool, rng.randint(0, 2)))
        minute = rng.randint(6 * 60, 22 * 60 + 59)
        title = _sentence(rng, vocab, 5, 11).rstrip(".")
        meta = [
            f"Title: {title}",
            f"Date: {day.isoformat()} {minute // 60:02d}:{minute % 60:02d}",
            f"Category: {rng.choice(CATEGORIES)}",
        ]
        if tags:
            meta.append("Tags: " + ", ".join(sorted(tags)))
        if rng.random() < 0.15:
            meta.append(f"Kicker: {rng.choice(KICKERS)}")
        roll = rng.random()
        photo = not first_of_day and 0.15 <= roll < 0.19
        if first_of_day:
            meta.append("Digest: lead")
        elif roll < 0.15:
            meta.append("Digest: quick-hit")
        elif roll < 0.19:
            meta.append("Digest: photo")
        elif roll < 0.22:
            meta.append("Digest: none")
        elif roll < 0.30:
            meta.append("Digest: story")
        if first_of_day or photo or rng.random() < 0.25:
            meta.append(f"Image: images/{rng.choice(IMAGES)}")
            meta.append(f"Image_alt: {_sentence(rng, vocab, 4, 8)}")
            if rng.random() < 0.8:
                meta.append(f"Image_caption: {_sentence(rng, vocab, 6, 14)}")
            meta.append(f"Image_credit: {rng.choice(CREDITS)}")
        if rng.random() < 0.1:
            meta.append(f"Digest_section: {rng.choice(SECTIONS)}")
        if rng.random() < 0.1:
            meta.append(f"Digest_order: {rng.randint(0, 9)}")
        if i > 0 and rng.random() < 0.2:
            meta.append(f"Related: {slugs[rng.randint(max(0, i - 300), i - 1)]}")
        if rng.random() < 0.1:
            label = _sentence(rng, vocab, 3, 7).rstrip(".")
            meta.append(f"Related: {label} <https://example.org/doc/{i}>")
        if rng.random() < 0.03:
            meta.append(f"Link: https://example.org/wire/{i}")
        if rng.random() < 0.1:
            meta.append("Access: subscribers")
        if rng.random() < 0.01:
            meta.append(f"Status: {rng.choice(['draft', 'hidden'])}")
        if rng.random() < 0.2:
            meta.append(f"Summary: {_sentence(rng, vocab, 15, 30)}")
        paragraphs = _paragraphs(rng, vocab, rng.randint(400, 700))
        if rng.random() < 0.2 and len(paragraphs) > 2:
            paragraphs.insert(1, "<!-- more -->")
        if rng.random() < 0.3:
            paragraphs.insert(2, f"## {_sentence(rng, vocab, 3, 6).rstrip('.')}")
        folder = content / "stories" / day.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        text = "\n".join(meta) + "\n\n" + "\n\n".join(paragraphs) + "\n"
        (folder / f"{slug}.md").write_text(text, encoding="utf-8", newline="\n")

    # Edition files for about one day in eight.
    digests = content / "digests"
    digests.mkdir(parents=True, exist_ok=True)
    for day_index in range(0, days, 8):
        day = START + timedelta(days=day_index)
        candidates = per_day[day_index]
        lines = [f"Date: {day.isoformat()} 23:30"]
        if day_index % 16 == 0:
            lines.append(f"Title: CX Daily: {_sentence(rng, vocab, 4, 8).rstrip('.')}")
        lines.append(f"Lead: {candidates[min(3, len(candidates) - 1)]}")
        lines.append(f"Hot_topics: {tag_pool[(day_index // 14) % len(tag_pool)]}")
        lines.append(f"Hot_topics: Special report <https://example.org/special/{day}>")
        note = _sentence(rng, vocab, 12, 25)
        (digests / f"{day.isoformat()}.md").write_text(
            "\n".join(lines) + "\n\n" + note + "\n", encoding="utf-8", newline="\n"
        )
    (root / DONE).write_text(f"{stories} {seed}\n", encoding="utf-8")
    return content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(generate(args.stories, args.seed))


if __name__ == "__main__":
    main()
