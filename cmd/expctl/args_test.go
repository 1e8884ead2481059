package main

import (
	"reflect"
	"testing"
)

func TestFlagsFirst(t *testing.T) {
	cmds := newApp(nil, nil).Commands
	for _, tc := range []struct{ in, want []string }{
		{[]string{"expctl", "run", "sweep", "quick", "--dry-run"}, []string{"expctl", "run", "sweep", "--dry-run", "--", "quick"}},
		{[]string{"expctl", "run", "sweep", "s.yaml", "--workers", "2", "--out", "runs/"},
			[]string{"expctl", "run", "sweep", "--workers", "2", "--out", "runs/", "--", "s.yaml"}},
		{[]string{"expctl", "run", "sweep", "--workers=2", "s.yaml"}, []string{"expctl", "run", "sweep", "--workers=2", "--", "s.yaml"}},
		{[]string{"expctl", "run", "trial", "--T", "-3"}, []string{"expctl", "run", "trial", "--T", "-3"}},
		{[]string{"expctl", "run", "sweep", "--", "-odd.yaml"}, []string{"expctl", "run", "sweep", "--", "-odd.yaml"}},
		{[]string{"expctl", "cells"}, []string{"expctl", "cells"}},
		{[]string{"expctl", "worker", "dir", "--checkpoint-every", "5"}, []string{"expctl", "worker", "dir", "--checkpoint-every", "5"}},
	} {
		if got := flagsFirst(cmds, tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("flagsFirst(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
