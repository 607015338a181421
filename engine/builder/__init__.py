"""The module builder's engine side: drafts of packs edited in the browser, the edits, the
checks as you type and the drawings of a module, all on the same pack structure that
import takes (a draft is published through `engine.packs.import_pack`)."""
