"""Whole ``sonata-s1`` commands (argument parsing + orchestration) that span several layers."""
