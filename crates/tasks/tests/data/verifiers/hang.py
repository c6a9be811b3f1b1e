"""Reads everything and never answers."""
import sys, time
sys.stdin.read()
time.sleep(60)
