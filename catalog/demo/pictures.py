"""Product pictures for the demo catalog, drawn with Pillow: one simple illustrated object per
kind of product (a T-shirt, a saucepan, a tent...) on a light studio background, so listings
look like a shop rather than abstract shapes. Deterministic for a given kind, colour and
variation."""

import random
from io import BytesIO

from PIL import Image, ImageDraw, ImageFilter

SIZE = 800
BACKGROUNDS = [(246, 244, 240), (240, 244, 247), (245, 242, 246), (242, 246, 242)]


def _shade(colour, factor):
    return tuple(max(0, min(255, int(channel * factor))) for channel in colour)


def _tshirt(draw, colour, rng, long_sleeves=False):
    dark = _shade(colour, 0.75)
    sleeve = [(130, 250), (260, 170), (300, 300), (215, 360)]
    if long_sleeves:
        sleeve = [(150, 230), (260, 170), (300, 330), (190, 600), (120, 580)]
    draw.polygon(sleeve, fill=dark)
    draw.polygon([(SIZE - x, y) for x, y in sleeve], fill=dark)
    draw.polygon([(260, 170), (540, 170), (560, 650), (240, 650)], fill=colour)
    draw.chord([330, 130, 470, 250], 0, 180, fill=_shade(colour, 0.5))
    if rng.random() < 0.5:  # a breast pocket
        draw.rectangle([450, 300, 510, 370], outline=dark, width=6)


def _jumper(draw, colour, rng):
    _tshirt(draw, colour, rng, long_sleeves=True)
    dark = _shade(colour, 0.7)
    for y in (620, 632):
        draw.line([(245, y), (555, y)], fill=dark, width=6)


def _trousers(draw, colour, rng):
    draw.polygon([(270, 120), (530, 120), (560, 680), (430, 680), (400, 330), (370, 680),
                  (240, 680)], fill=colour)  # fmt: skip
    draw.rectangle([270, 120, 530, 160], fill=_shade(colour, 0.7))


def _dress(draw, colour, rng):
    draw.polygon([(330, 140), (470, 140), (500, 330), (600, 680), (200, 680), (300, 330)],
                 fill=colour)  # fmt: skip
    draw.line([(300, 330), (500, 330)], fill=_shade(colour, 0.7), width=10)


def _shoe(draw, colour, rng, boot=False):
    dark = _shade(colour, 0.6)
    top = 260 if boot else 380
    draw.rounded_rectangle([170, 560, 650, 610], radius=20, fill=(60, 55, 50))
    draw.polygon([(180, 570), (200, top), (360, top), (420, 450), (630, 500), (640, 570)],
                 fill=colour)  # fmt: skip
    for i in range(4):  # laces
        y = top + 40 + i * 30
        draw.line([(300, y), (350 + i * 10, y + 10)], fill=(250, 250, 250), width=6)
    draw.line([(190, 545), (635, 545)], fill=dark, width=8)


def _boot(draw, colour, rng):
    _shoe(draw, colour, rng, boot=True)


def _bag(draw, colour, rng):
    dark = _shade(colour, 0.7)
    draw.arc([300, 130, 500, 330], 180, 360, fill=dark, width=22)
    draw.rounded_rectangle([220, 230, 580, 650], radius=50, fill=colour)
    draw.rounded_rectangle([280, 430, 520, 600], radius=30, fill=dark)
    draw.line([(300, 470), (500, 470)], fill=_shade(colour, 1.2), width=6)


def _tote(draw, colour, rng):
    dark = _shade(colour, 0.7)
    draw.arc([290, 150, 510, 420], 180, 360, fill=dark, width=16)
    draw.polygon([(220, 290), (580, 290), (610, 660), (190, 660)], fill=colour)


def _wallet(draw, colour, rng):
    dark = _shade(colour, 0.7)
    draw.rounded_rectangle([180, 260, 620, 560], radius=30, fill=colour)
    draw.rounded_rectangle([180, 260, 620, 380], radius=30, fill=dark)
    draw.ellipse([520, 300, 560, 340], fill=(210, 190, 120))


def _hat(draw, colour, rng):
    dark = _shade(colour, 0.7)
    draw.chord([210, 230, 590, 610], 180, 360, fill=colour)
    draw.rounded_rectangle([190, 410, 610, 470], radius=25, fill=dark)
    draw.ellipse([380, 200, 420, 240], fill=dark)


def _scarf(draw, colour, rng):
    stripe = _shade(colour, 0.65)
    draw.rounded_rectangle([300, 120, 480, 680], radius=20, fill=colour)
    for y in range(170, 660, 90):
        draw.rectangle([300, y, 480, y + 30], fill=stripe)
    for x in range(305, 480, 22):  # fringe
        draw.line([(x, 680), (x, 720)], fill=colour, width=6)


def _pan(draw, colour, rng):
    draw.rounded_rectangle([520, 385, 760, 425], radius=18, fill=(50, 45, 40))
    draw.ellipse([100, 250, 560, 560], fill=_shade(colour, 0.55))
    draw.ellipse([130, 275, 530, 535], fill=(70, 70, 75))
    draw.ellipse([170, 305, 490, 505], fill=(90, 90, 96))


def _plate(draw, colour, rng):
    draw.ellipse([120, 180, 560, 620], fill=(252, 252, 250), outline=(215, 212, 205), width=6)
    draw.ellipse([200, 260, 480, 540], outline=colour, width=14)
    draw.rounded_rectangle([500, 360, 680, 600], radius=24, fill=colour)  # a mug beside it
    draw.arc([640, 410, 730, 530], 270, 90, fill=colour, width=20)


def _towels(draw, colour, rng):
    for i, factor in enumerate((0.7, 0.85, 1.0)):
        top = 470 - i * 110
        draw.rounded_rectangle([200, top, 600, top + 120], radius=30, fill=_shade(colour, factor))
        draw.line([(220, top + 95), (580, top + 95)], fill=(250, 250, 250), width=6)


def _jar(draw, colour, rng):
    draw.rounded_rectangle([270, 240, 530, 660], radius=50, fill=(225, 235, 238))
    draw.rounded_rectangle([290, 380, 510, 640], radius=40, fill=colour)
    draw.rounded_rectangle([285, 180, 515, 250], radius=15, fill=_shade(colour, 0.6))


def _lamp(draw, colour, rng):
    draw.polygon([(260, 160), (540, 160), (620, 380), (180, 380)], fill=colour)
    draw.rectangle([388, 380, 412, 620], fill=(70, 65, 60))
    draw.ellipse([280, 600, 520, 660], fill=(70, 65, 60))


def _tent(draw, colour, rng):
    dark = _shade(colour, 0.7)
    draw.polygon([(400, 160), (700, 620), (100, 620)], fill=colour)
    draw.polygon([(400, 160), (470, 620), (330, 620)], fill=dark)
    draw.line([(80, 625), (720, 625)], fill=(90, 80, 70), width=8)


def _bottle(draw, colour, rng):
    draw.rounded_rectangle([300, 260, 500, 660], radius=60, fill=colour)
    draw.rectangle([355, 180, 445, 270], fill=_shade(colour, 0.8))
    draw.rounded_rectangle([340, 140, 460, 200], radius=12, fill=(60, 60, 65))
    draw.rounded_rectangle([320, 400, 480, 520], radius=10, fill=(250, 250, 248))


def _compass(draw, colour, rng):
    draw.ellipse([180, 180, 620, 620], fill=colour)
    draw.ellipse([220, 220, 580, 580], fill=(250, 250, 245))
    draw.polygon([(400, 250), (430, 400), (370, 400)], fill=(200, 40, 40))
    draw.polygon([(400, 550), (430, 400), (370, 400)], fill=(60, 60, 60))


def _carabiner(draw, colour, rng):
    draw.rounded_rectangle([280, 140, 520, 660], radius=120, outline=colour, width=42)
    draw.line([(500, 300), (520, 480)], fill=_shade(colour, 0.6), width=30)


def _chair(draw, colour, rng):
    draw.line([(260, 660), (540, 300)], fill=(120, 90, 60), width=22)
    draw.line([(540, 660), (260, 300)], fill=(120, 90, 60), width=22)
    draw.polygon([(250, 200), (560, 200), (560, 470), (250, 470)], fill=colour)


def _headphones(draw, colour, rng):
    draw.arc([210, 150, 590, 530], 180, 360, fill=_shade(colour, 0.7), width=36)
    draw.rounded_rectangle([180, 330, 290, 560], radius=40, fill=colour)
    draw.rounded_rectangle([510, 330, 620, 560], radius=40, fill=colour)


def _speaker(draw, colour, rng):
    draw.rounded_rectangle([250, 150, 550, 660], radius=40, fill=colour)
    draw.ellipse([300, 380, 500, 580], fill=(40, 40, 45))
    draw.ellipse([350, 200, 450, 300], fill=(40, 40, 45))


def _tablet(draw, colour, rng):
    draw.rounded_rectangle([240, 120, 560, 680], radius=40, fill=(35, 35, 40))
    draw.rounded_rectangle([265, 160, 535, 630], radius=12, fill=colour)
    draw.ellipse([385, 645, 415, 670], fill=(90, 90, 95))


def _camera(draw, colour, rng):
    draw.rounded_rectangle([160, 260, 640, 600], radius=40, fill=(45, 45, 50))
    draw.rectangle([220, 220, 340, 270], fill=(45, 45, 50))
    draw.ellipse([300, 310, 500, 510], fill=colour)
    draw.ellipse([350, 360, 450, 460], fill=(25, 25, 30))


def _book(draw, colour, rng):
    draw.rectangle([230, 140, 590, 660], fill=(240, 236, 225))
    draw.rectangle([210, 130, 570, 650], fill=colour)
    draw.rectangle([210, 130, 250, 650], fill=_shade(colour, 0.7))
    for y in (260, 300):
        draw.line([(300, y), (510, y)], fill=(250, 245, 230), width=10)


def _box(draw, colour, rng):
    draw.polygon([(400, 200), (660, 300), (400, 400), (140, 300)], fill=_shade(colour, 1.15))
    draw.polygon([(140, 300), (400, 400), (400, 640), (140, 540)], fill=colour)
    draw.polygon([(660, 300), (400, 400), (400, 640), (660, 540)], fill=_shade(colour, 0.75))
    draw.ellipse([220, 400, 320, 500], fill=(250, 250, 245))


def _teddy(draw, colour, rng):
    light = _shade(colour, 1.3)
    for box in ([250, 160, 350, 260], [450, 160, 550, 260]):
        draw.ellipse(box, fill=colour)
    draw.ellipse([230, 400, 570, 700], fill=colour)
    draw.ellipse([270, 180, 530, 440], fill=colour)
    draw.ellipse([350, 320, 450, 400], fill=light)
    draw.ellipse([335, 270, 360, 295], fill=(30, 30, 30))
    draw.ellipse([440, 270, 465, 295], fill=(30, 30, 30))


def _kite(draw, colour, rng):
    draw.polygon([(400, 120), (580, 330), (400, 600), (220, 330)], fill=colour)
    draw.line([(400, 120), (400, 600)], fill=(250, 250, 250), width=6)
    draw.line([(220, 330), (580, 330)], fill=(250, 250, 250), width=6)
    draw.line([(400, 600), (460, 720)], fill=(90, 90, 90), width=4)


def _dumbbell(draw, colour, rng):
    draw.rectangle([250, 385, 550, 415], fill=(120, 120, 125))
    for x in (180, 520):
        draw.rounded_rectangle([x, 280, x + 100, 520], radius=20, fill=colour)


def _mat(draw, colour, rng):
    draw.rounded_rectangle([150, 330, 650, 470], radius=70, fill=colour)
    draw.ellipse([560, 330, 700, 470], fill=_shade(colour, 0.8))
    draw.ellipse([600, 370, 660, 430], fill=_shade(colour, 0.6))


def _goggles(draw, colour, rng):
    draw.line([(120, 400), (680, 400)], fill=(40, 40, 45), width=16)
    for x in (200, 420):
        draw.rounded_rectangle([x, 320, x + 180, 480], radius=70, fill=colour)
        draw.rounded_rectangle([x + 20, 340, x + 160, 460], radius=60, fill=(180, 215, 235))


def _racket(draw, colour, rng):
    draw.ellipse([240, 110, 560, 500], outline=colour, width=26)
    for x in range(290, 520, 40):
        draw.line([(x, 140), (x, 470)], fill=(220, 220, 220), width=4)
    for y in range(170, 470, 40):
        draw.line([(265, y), (535, y)], fill=(220, 220, 220), width=4)
    draw.rounded_rectangle([380, 490, 420, 720], radius=12, fill=(40, 40, 45))


def _light(draw, colour, rng):
    draw.rounded_rectangle([230, 300, 570, 500], radius=60, fill=(45, 45, 50))
    draw.ellipse([450, 320, 550, 480], fill=colour)
    draw.rounded_rectangle([290, 500, 350, 600], radius=10, fill=(70, 70, 75))


DRAWERS = {
    "tshirt": _tshirt, "jumper": _jumper, "trousers": _trousers, "dress": _dress,
    "shoe": _shoe, "boot": _boot, "bag": _bag, "tote": _tote, "wallet": _wallet, "hat": _hat,
    "scarf": _scarf, "pan": _pan, "plate": _plate, "towels": _towels, "jar": _jar,
    "lamp": _lamp, "tent": _tent, "bottle": _bottle, "compass": _compass,
    "carabiner": _carabiner, "chair": _chair, "headphones": _headphones, "speaker": _speaker,
    "tablet": _tablet, "camera": _camera, "book": _book, "box": _box, "teddy": _teddy,
    "kite": _kite, "dumbbell": _dumbbell, "mat": _mat, "goggles": _goggles,
    "racket": _racket, "light": _light,
}  # fmt: skip


def draw_product(kind, colour, variation):
    """An 800x800 JPEG of a `kind` of product in `colour` (an RGB tuple)."""
    rng = random.Random(f"{kind}:{colour}:{variation}")
    background = BACKGROUNDS[variation % len(BACKGROUNDS)]
    picture = Image.new("RGB", (SIZE, SIZE), background)
    shadow = Image.new("L", (SIZE, SIZE), 0)
    ImageDraw.Draw(shadow).ellipse([170, 650, 630, 730], fill=70)
    shadow = shadow.filter(ImageFilter.GaussianBlur(18))
    picture.paste((200, 196, 190), mask=shadow)
    DRAWERS[kind](ImageDraw.Draw(picture), colour, rng)
    buffer = BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()
