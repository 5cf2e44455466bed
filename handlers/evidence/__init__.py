"""Reporting rounds and evidence (ร่องรอยหลักฐาน) status per item, quality levels, progress, the SAR draft."""
