package runner

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/expctl/expctl/datasets"
	"github.com/expctl/expctl/experiments"
	"github.com/expctl/expctl/results/trialdir"
)

// job is one run of a worker on a trial: to the end of its budget, to a rung of
// successive halving (pauseAt), or to the rung it is pruned at (pruneAt).
type job struct {
	index            int
	cfg              experiments.Config
	pauseAt, pruneAt int
	reason           string // with pruneAt: why it is pruned
	cost             float64
}

// newJob is a job for trial cfg at position index, with its cost estimate: the steps it
// may run (to its rung, or the whole budget) times the cost of a step.
func newJob(index int, cfg experiments.Config, pauseAt, pruneAt int, reason string) job {
	c := cfg
	if stop := max(pauseAt, pruneAt); stop > 0 {
		c.Steps = stop
	}
	return job{index: index, cfg: cfg, pauseAt: pauseAt, pruneAt: pruneAt, reason: reason, cost: trialCost(c)}
}

// outcome is what a worker's run left of its trial.
type outcome int

const (
	finishedRun outcome = iota // result.json written (any status)
	pausedRun                  // paused at its rung with a checkpoint
	stoppedRun                 // interrupted, busy, out of space or not started: reported as TrialStopped
)

// member is a trial of a halving group, as the scheduler tracks it.
type member struct {
	index    int
	cfg      experiments.Config
	queued   bool // a job for it is queued or running
	stopped  bool // its last run stopped (interrupted, busy, ...): not run again by this sweep
	finished bool
	pausedAt int // the pauseAt of its last run that paused; 0 if none
}

// group is a halving group: the trials ranked together (see [experiments.Halving]).
type group struct {
	policy  experiments.Halving
	members []*member
}

// scheduler hands jobs to the workers of a sweep: every trial without successive halving
// runs once to its end; the trials of a halving group run from rung to rung, and after
// each run the group's decision is taken again from the records of its trials.
type scheduler struct {
	ctx    context.Context
	dir    string
	report func(SweepEvent)

	mu      sync.Mutex
	cond    *sync.Cond
	ready   []job
	running int
	groupOf map[int]*group    // by trial index
	byKey   map[string]*group // by experiments.Config.Group
	groups  []*group          // in the order of their first trial
}

func newScheduler(ctx context.Context, dir string, report func(SweepEvent)) *scheduler {
	s := &scheduler{ctx: ctx, dir: dir, report: report, groupOf: map[int]*group{}, byKey: map[string]*group{}}
	s.cond = sync.NewCond(&s.mu)
	context.AfterFunc(ctx, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.cond.Broadcast()
	})
	return s
}

// add schedules the unfinished trial cfg (position index in the shard); finished is set
// for a trial of a halving group that has finished already: it is ranked, not run.
func (s *scheduler) add(index int, cfg experiments.Config, finished bool) error {
	h, ok, err := cfg.HalvingPolicy()
	if err != nil {
		return err
	}
	if !ok {
		if !finished {
			s.ready = append(s.ready, newJob(index, cfg, 0, 0, ""))
		}
		return nil
	}
	key := cfg.Group()
	g := s.byKey[key]
	if g == nil {
		g = &group{policy: h}
		s.byKey[key] = g
		s.groups = append(s.groups, g)
	}
	g.members = append(g.members, &member{index: index, cfg: cfg, finished: finished})
	s.groupOf[index] = g
	return nil
}

// start plans the first runs of every halving group.
func (s *scheduler) start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.groups {
		s.plan(g)
	}
}

// next returns the next job, the costliest of those ready, waiting while none is ready
// but some are running (their groups may make more ready); ok is false when the sweep is
// done or cancelled.
func (s *scheduler) next() (j job, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.ready) == 0 && s.running > 0 && s.ctx.Err() == nil {
		s.cond.Wait()
	}
	if len(s.ready) == 0 || s.ctx.Err() != nil {
		return job{}, false
	}
	best := 0
	for i, r := range s.ready {
		if r.cost > s.ready[best].cost {
			best = i
		}
	}
	j = s.ready[best]
	s.ready = slices.Delete(s.ready, best, best+1)
	s.running++
	return j, true
}

// done records what a job left of its trial and plans its group's next runs.
func (s *scheduler) done(j job, out outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.running--
	defer s.cond.Broadcast()
	g := s.groupOf[j.index]
	if g == nil {
		return
	}
	for _, m := range g.members {
		if m.index != j.index {
			continue
		}
		m.queued = false
		switch out {
		case finishedRun:
			m.finished = true
		case stoppedRun:
			m.stopped = true
		case pausedRun:
			if m.pausedAt == j.pauseAt {
				// Paused twice at the same rung without reaching it in its records.
				m.stopped = true
				s.report(SweepEvent{Kind: TrialStopped, Index: j.index, Config: j.cfg,
					Err: fmt.Errorf("%s: paused at rung %d but its curve.csv has no evaluation there", j.cfg.ID(), j.pauseAt)})
			}
			m.pausedAt = j.pauseAt
		}
	}
	if s.ctx.Err() == nil {
		s.plan(g)
	}
}

// plan takes the group's decision from its trials' records and queues the runs it
// calls for: the pruned trials to their rung, to be finished as pruned; the others to the
// first rung not decided yet, or to the end once every rung is decided. Trials that have
// reached that rung wait for the rest of the group.
func (s *scheduler) plan(g *group) {
	recs := make([]experiments.RungTrial, len(g.members))
	for i, m := range g.members {
		recs[i] = s.rungTrial(m)
	}
	d := g.policy.Decide(recs)
	for i, m := range g.members {
		if m.queued || m.stopped || m.finished {
			continue
		}
		var j job
		if k, pruned := d.Pruned[m.cfg.ID()]; pruned {
			j = newJob(m.index, m.cfg, 0, g.policy.Rungs[k], d.Reasons[m.cfg.ID()])
		} else if d.Decided < len(g.policy.Rungs) {
			rung := g.policy.Rungs[d.Decided]
			if c := recs[i].Curve; len(c) > 0 && c[len(c)-1].Step >= rung {
				continue // there: it waits for the others
			}
			j = newJob(m.index, m.cfg, rung, 0, "")
		} else {
			j = newJob(m.index, m.cfg, 0, 0, "")
		}
		m.queued = true
		s.ready = append(s.ready, j)
	}
}

// rungTrial reads what successive halving needs of a trial from its directory: its
// learning curve and whether it has finished.
func (s *scheduler) rungTrial(m *member) experiments.RungTrial {
	td := trialdir.TrialPath(s.dir, m.cfg.ID())
	rt := experiments.RungTrial{ID: m.cfg.ID()}
	if res, err := trialdir.ReadResult(td); err == nil {
		rt.Finished, rt.Failed = true, res.Status == trialdir.Failed
	}
	curve, _ := trialdir.Curve.Read(td) // none yet: an empty curve
	task, _ := datasets.Lookup(m.cfg.Task)
	for _, p := range curve {
		rt.Curve = append(rt.Curve, experiments.RungPoint{Step: p.Step, TestLoss: p.TestLoss,
			Solved: isFinite(p.TestLoss) && m.cfg.Solved(task, p.TestLoss, p.TestMetric)})
	}
	return rt
}

// waiting counts, once the workers are done, the unfinished trials of halving groups that
// this sweep could not rank further: they wait at a rung for a trial of their group that
// stopped before reaching it.
func (s *scheduler) waiting() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, g := range s.groups {
		for _, m := range g.members {
			if !m.finished && !m.stopped {
				n++
			}
		}
	}
	return n
}
