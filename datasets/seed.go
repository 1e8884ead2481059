package datasets

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
)

// Stream kinds mixed into the seed derivation.
const (
	streamTrain = "train"
	streamTest  = "test"
)

// streamSeeds derives the two PCG seeds of one data stream.
//
// The message hashed is
//
//	name || 0x00 || kind || 0x00 || le64(seed) || le64(T) || le64(i)
//
// where name is the task name, kind is "train" or "test", le64 is the
// 8-byte little-endian encoding (T and i as two's-complement int64), and i is
// the batch index (0 for the test set). Then
//
//	s1 = FNV-1a-64(message || 0x01)
//	s2 = FNV-1a-64(message || 0x02)
//
// and the stream is rand.New(rand.NewPCG(s1, s2)). The result depends only on
// these bytes, never on the clock, the global generator or the platform.
func streamSeeds(name, kind string, seed uint64, T, i int) (s1, s2 uint64) {
	msg := make([]byte, 0, len(name)+len(kind)+2+3*8+1)
	msg = append(msg, name...)
	msg = append(msg, 0)
	msg = append(msg, kind...)
	msg = append(msg, 0)
	msg = binary.LittleEndian.AppendUint64(msg, seed)
	msg = binary.LittleEndian.AppendUint64(msg, uint64(int64(T)))
	msg = binary.LittleEndian.AppendUint64(msg, uint64(int64(i)))
	sum := func(tag byte) uint64 {
		h := fnv.New64a()
		h.Write(msg)
		h.Write([]byte{tag})
		return h.Sum64()
	}
	return sum(1), sum(2)
}

func streamRand(name, kind string, seed uint64, T, i int) *rand.Rand {
	s1, s2 := streamSeeds(name, kind, seed, T, i)
	return rand.New(rand.NewPCG(s1, s2))
}

// TrainBatch returns training batch number i (i ≥ 0) of B sequences with
// dependency length T for task t and experiment seed seed.
//
// It is stateless: the batch is t.Generate(rng, T, B) with rng a PCG stream
// seeded from (task name, seed, T, "train", i) as described below, so a run
// can resume at any step without replaying earlier batches. Because
// sequences are drawn one after another, the first b sequences of a
// batch are the same for every B ≥ b.
//
// Seeds: with le64 the 8-byte little-endian encoding,
// msg = name || 0x00 || "train" || 0x00 || le64(seed) || le64(T) || le64(i),
// s1 = FNV-1a-64(msg || 0x01), s2 = FNV-1a-64(msg || 0x02), and
// rng = rand.New(rand.NewPCG(s1, s2)) from math/rand/v2.
func TrainBatch(t Task, seed uint64, T, B, i int) (*Batch, error) {
	if t.Draw == nil {
		return nil, errors.New("TrainBatch: task has no generator")
	}
	if i < 0 {
		return nil, fmt.Errorf("%s: batch index i=%d %w (need i ≥ 0)", t.Name, i, ErrOutOfRange)
	}
	return t.Generate(streamRand(t.Name, streamTrain, seed, T, i), T, B)
}

// TestSet returns the fixed held-out set of n sequences with dependency
// length T for task t and experiment seed seed.
//
// It is t.Generate(rng, T, n) with rng seeded exactly as in [TrainBatch] but
// with stream kind "test" instead of "train" and index 0, so it never shares
// a stream with any training batch. The first m sequences of a test set of
// size n ≥ m form the test set of size m.
func TestSet(t Task, seed uint64, T, n int) (*Batch, error) {
	if t.Draw == nil {
		return nil, errors.New("TestSet: task has no generator")
	}
	if n < 1 {
		return nil, fmt.Errorf("%s: test set size n=%d %w (need n ≥ 1)", t.Name, n, ErrOutOfRange)
	}
	return t.Generate(streamRand(t.Name, streamTest, seed, T, 0), T, n)
}
