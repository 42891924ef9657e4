// Two threads store 384-byte records (a spool slot's size) into one shared file mapping, each in its own runs of
// RUN consecutive records, the runs of the two threads alternating: the cost per record against run length.
// Why OrderSender's producer blocks grow to 1,024 positions (docs/sender.md, "Order, and the blocks of positions").
// usage: interleave THREADS RUN   (prints ns per record for each thread, two timed passes after one untimed)
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define BYTES (96UL << 20)
#define RECORD 384

static char *base;
static long run_length;
static int threads;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void *produce(void *arg)
{
    long id = (long)arg, records = BYTES / RECORD;
    int appending __attribute__((aligned(128))) = 0;
    for (int pass = 0; pass < 3; pass++) {
        double start = now();
        long count = 0;
        for (long first = id * run_length; first + run_length <= records; first += run_length * threads) {
            for (long position = first; position < first + run_length; position++) {
                char *slot = base + position * RECORD;
                // As the spool's append: mark appending, claim the stamp, write the payload, publish the length.
                __atomic_exchange_n(&appending, 1, __ATOMIC_SEQ_CST);
                long old = *(volatile long *)(slot + 8);
                __atomic_compare_exchange_n((long *)(slot + 8), &old, position + 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
                memset(slot + 16, (int)position, 100);
                __atomic_store_n((int *)slot, 100, __ATOMIC_RELEASE);
                __atomic_store_n(&appending, 0, __ATOMIC_RELEASE);
                count++;
            }
        }
        double elapsed = now() - start;
        if (pass > 0) printf("threads=%d run=%ld thread=%ld pass=%d ns_per_record=%.1f\n", threads, run_length, id, pass, elapsed * 1e9 / count);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3) { fprintf(stderr, "usage: interleave THREADS RUN\n"); return 2; }
    threads = atoi(argv[1]);
    run_length = atol(argv[2]);
    char path[] = "/tmp/interleave-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || ftruncate(fd, BYTES) != 0) { perror("file"); return 1; }
    unlink(path);
    base = mmap(NULL, BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) { perror("mmap"); return 1; }
    // Every page touched first, as the spool's thread does before producers write.
    for (size_t offset = 0; offset < BYTES; offset += 4096) __atomic_fetch_or((int *)(base + offset), 0, __ATOMIC_SEQ_CST);
    pthread_t ids[64];
    for (long i = 0; i < threads; i++) pthread_create(&ids[i], NULL, produce, (void *)i);
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    return 0;
}
