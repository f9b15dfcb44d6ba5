"""Texts of the demo study: survey statements, interview quotes and their decorations.

Everything here is data (no randomness, no logic). The survey items are in
:data:`ITEM_BANK` (forward- and reverse-keyed statements per latent dimension) and
:data:`CROSS_TEXTS` (statements that load on two dimensions); the interviews draw a
core sentence from :data:`QUOTES` (or :data:`EXTRA_THEMES`) and dress it with an
opener, a context and an ending; :data:`NAMES`, :data:`RELATIONS` and
:data:`SURNAMES` build the planted personal data. Dimensions without texts get
generic ones in :mod:`behaviortypes.synth.simulate`.
"""

from __future__ import annotations

__all__ = [
    "ITEM_BANK",
    "CROSS_TEXTS",
    "QUOTES",
    "EXTRA_THEMES",
    "PARENTS",
    "OPENERS",
    "CONTEXTS",
    "ENDINGS",
    "NAMES",
    "RELATIONS",
    "SURNAMES",
    "HINTS",
    "SCALE_LABELS",
    "ATTENTION_CHECKS",
]

# dimension -> (forward-keyed statements, reverse-keyed statements)
ITEM_BANK: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "research_depth": ((
        "I read several reviews before I buy anything expensive.",
        "I compare product specifications in detail before deciding.",
        "I like to know everything about a product before I order it.",
        "I check independent tests or comparison sites before buying.",
        "I often spend days researching a purchase.",
        "I read the product description and size guide carefully.",
    ), (
        "I usually buy the first product that looks good enough.",
        "Reading lots of reviews is a waste of my time.",
        "I rarely look at the details before I order.",
    )),
    "inspiration": ((
        "I enjoy browsing online shops without anything particular in mind.",
        "I often discover products I did not know I wanted.",
        "Scrolling through new arrivals is a pleasure for me.",
        "I like shops that surprise me with new ideas.",
        "I save products to wish lists to come back to later.",
        "I look at styled collections and lookbooks for ideas.",
    ), (
        "I only visit a shop when I know exactly what I need.",
        "Browsing without a purpose bores me.",
        "I find product recommendations distracting.",
    )),
    "price_focus": ((
        "I always look for a discount code before I pay.",
        "I wait for the sales before buying things I want.",
        "Price is the most important thing when I choose where to buy.",
        "I sign up to newsletters to get special offers.",
        "I switch shops to save even a small amount.",
        "I check whether the price has dropped before ordering.",
    ), (
        "I am happy to pay more for a better shopping experience.",
        "I rarely think about whether I could get it cheaper.",
        "Hunting for deals is not worth the effort for me.",
    )),
    "convenience": ((
        "I want to be done with my shopping as quickly as possible.",
        "Fast delivery matters more to me than choice.",
        "I use the search bar to go straight to what I want.",
        "I like to reorder things with one click.",
        "A quick checkout is essential for me.",
        "Saved payment details make my life easier.",
    ), (
        "I don't mind taking my time over an online order.",
        "Waiting a few extra days for delivery does not bother me.",
        "I often take the long way through a shop's menus.",
    )),
    "social_proof": ((
        "I trust products that many other people have rated highly.",
        "I buy things I have seen friends or influencers use.",
        "Star ratings strongly influence what I buy.",
        "I like to see photos from other customers before buying.",
        "Bestseller labels make me more likely to buy.",
        "I ask friends for their opinion before a bigger purchase.",
    ), (
        "What other people think of a product does not affect my choice.",
        "I ignore ratings and trust my own judgement.",
        "Influencer recommendations leave me cold.",
    )),
    "loyalty": ((
        "I usually buy from the same few shops.",
        "I go back to a shop that has treated me well.",
        "I am a member of the loyalty programmes of shops I like.",
        "I would recommend my favourite shop to friends.",
        "I check my favourite shop first before looking elsewhere.",
        "I feel a connection with some of the brands I buy.",
    ), (
        "I have no favourite online shop.",
        "I would switch shops without a second thought.",
        "Loyalty points do not make me come back.",
    )),
}

# (primary, secondary) dimension -> a statement that loads on both
CROSS_TEXTS = {
    ("price_focus", "research_depth"): "I compare prices on several sites before I order.",
    ("inspiration", "social_proof"): "I get ideas for things to buy from what others post online.",
    ("convenience", "loyalty"): "I stick to the shop where I know checkout is quick.",
}

# dimension -> interview quotes that voice it (a theme code names what the participant
# expresses, so only the agreeing stance is ever coded)
QUOTES: dict[str, tuple[str, ...]] = {
    "research_depth": (
        "I read loads of reviews before I commit to anything.",
        "I'll have ten tabs open comparing specs before I buy a laptop.",
        "I want to know exactly what I'm getting, so I dig into the details.",
        "I check the test results and the forums first, always.",
        "I can spend a whole week researching a kettle.",
    ),
    "inspiration": (
        "I love scrolling through the new-in section on a Sunday.",
        "Half the things I buy I find by accident while browsing.",
        "I get a lot of ideas from the styled pages and lookbooks.",
        "My wish list is enormous, I save everything I like.",
        "Browsing is like window shopping for me, it relaxes me.",
    ),
    "price_focus": (
        "I never pay full price if I can help it.",
        "I always search for a voucher code before I check out.",
        "I wait for Black Friday for the bigger things.",
        "If another site is two euros cheaper I'll go there.",
        "I'm signed up to all the newsletters just for the discounts.",
    ),
    "convenience": (
        "I just type what I want into the search and buy it.",
        "Next-day delivery is the main thing for me.",
        "One-click reorder is a lifesaver with two kids.",
        "If checkout takes more than a minute I give up.",
        "I want it done quickly, in and out.",
    ),
    "social_proof": (
        "If something has thousands of five-star reviews I trust it.",
        "I bought those trainers because everyone at work had them.",
        "I always look at the customer photos, not the studio ones.",
        "I've bought quite a few things influencers I follow recommended.",
        "I'll ask my sister before I buy anything big.",
    ),
    "loyalty": (
        "I've been buying from them for years, why would I change?",
        "I go to my usual shop first, every time.",
        "Their loyalty points add up, so I keep going back.",
        "They sorted out a return really nicely once, so they've got me now.",
        "I feel like they know me there.",
    ),
}

# further themes that interviewees raise (coded, but not survey dimensions)
EXTRA_THEMES = {
    "sustainability": (
        "I try to buy less and buy things that last.",
        "All that packaging really annoys me.",
        "I look for second-hand options first.",
    ),
    "returns_hassle": (
        "Returns are such a hassle that I sometimes just keep things.",
        "I worry about parcels being left outside the door.",
        "Printing return labels drives me mad.",
    ),
}

# interview theme -> parent code in codes.csv (other themes: "behaviour")
PARENTS = {
    "research_depth": "decision_making", "price_focus": "decision_making",
    "social_proof": "decision_making", "inspiration": "shopping_journey",
    "convenience": "shopping_journey", "loyalty": "relationship_with_shops",
    "sustainability": "other_concerns", "returns_hassle": "other_concerns",
}

# a quote is OPENER + core + CONTEXT + ENDING (the empty strings make plain quotes common)
OPENERS = ("", "", "", "Honestly, ", "I'd say ", "To be fair, ", "Well, ", "I think ", "For me, ")
CONTEXTS = ("", "", "", " Especially with clothes.", " That's mostly for electronics.",
            " Same with groceries, really.", " It depends on the category, though.",
            " Even more so since I started working from home.")
ENDINGS = ("", "", "", " You know?", " I suppose.", " That's just how I am.")

# planted personal data (first names, relations, e-mail surnames)
NAMES = ("Erik", "Sofia", "Jonas", "Maria", "Lars", "Anna", "Tom", "Chloe")
RELATIONS = ("my husband", "my wife", "my partner", "my friend", "my brother", "my daughter")
SURNAMES = ("berg", "jansen", "miller", "dubois", "schmidt", "lindqvist")

# type key -> the segment hint in participants.csv (most interviewees get their own type's)
HINTS = {
    "quick_searcher": "busy, orders from the app", "explorer": "browses a lot, big wish list",
    "bargain_hunter": "newsletter deal clicker", "loyal_regular": "long-standing member",
    "social_shopper": "follows us on social media",
}

# the survey's answer scale and attention checks (id, expected answer, text)
SCALE_LABELS = {1: "Strongly disagree", 2: "Disagree", 3: "Neither agree nor disagree",
                4: "Agree", 5: "Strongly agree"}
ATTENTION_CHECKS = (
    ("attn1", 4, "Please select 'Agree' for this statement."),
    ("attn2", 2, "To show you are reading carefully, please select 'Disagree'."),
)
