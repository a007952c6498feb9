package io.clearhouse.domain.risk;

import io.clearhouse.domain.instrument.Underlying;
import io.clearhouse.domain.margin.UnderlyingMarket;
import java.util.Arrays;

/**
 * The columnar storage of one underlying in a {@link PositionIndex}: one row per position and one
 * row per book (an account's positions on this underlying), in parallel primitive arrays that grow
 * by doubling and shrink by swap-remove.
 *
 * <p>A book's positions form a doubly linked list through {@link #positionNext}/{@link
 * #positionPrevious}, so an account's rows are found without a per-account object and a swap-remove
 * only fixes the neighbours of the moved row. Package-private: only the index touches it.
 */
final class PositionColumns {
  private static final int INITIAL_CAPACITY = 16;

  final int id;
  final Underlying underlying;
  final StandardMarginRates rates;
  UnderlyingMarket market;
  long marketNowMs;

  int positions;
  int[] positionBook = new int[INITIAL_CAPACITY];
  int[] positionInstrument = new int[INITIAL_CAPACITY];
  long[] positionQuantityMinor = new long[INITIAL_CAPACITY];
  long[] positionCostMinor = new long[INITIAL_CAPACITY];
  int[] positionNext = new int[INITIAL_CAPACITY];
  int[] positionPrevious = new int[INITIAL_CAPACITY];

  int books;
  int[] bookSlot = new int[INITIAL_CAPACITY];
  int[] bookHead = new int[INITIAL_CAPACITY];
  long[] bookNetPerpetualMinor = new long[INITIAL_CAPACITY];
  long[] bookValueMinor = new long[INITIAL_CAPACITY];
  long[] bookMaintenanceMinor = new long[INITIAL_CAPACITY];
  long[] bookInitialMinor = new long[INITIAL_CAPACITY];

  /** Options held on the book: portfolio margin applies when positive. */
  int[] bookOptions = new int[INITIAL_CAPACITY];

  boolean[] bookValued = new boolean[INITIAL_CAPACITY];

  /** Scratch of the revaluation loop: the book's new perpetual value. */
  long[] bookScratchMinor = new long[INITIAL_CAPACITY];

  /** Book row of each account slot, -1 when the account holds nothing on this underlying. */
  int[] bookBySlot = new int[0];

  PositionColumns(int id, Underlying underlying, StandardMarginRates rates) {
    this.id = id;
    this.underlying = underlying;
    this.rates = rates;
  }

  void ensureSlots(int slotCapacity) {
    if (bookBySlot.length < slotCapacity) {
      int old = bookBySlot.length;
      bookBySlot = Arrays.copyOf(bookBySlot, slotCapacity);
      Arrays.fill(bookBySlot, old, slotCapacity, -1);
    }
  }

  /** The account's book row, created empty if absent. */
  int bookOf(int slot) {
    int book = bookBySlot[slot];
    if (book >= 0) {
      return book;
    }
    if (books == bookSlot.length) {
      growBooks(books * 2);
    }
    book = books++;
    bookSlot[book] = slot;
    bookHead[book] = -1;
    bookNetPerpetualMinor[book] = 0;
    bookValueMinor[book] = 0;
    bookMaintenanceMinor[book] = 0;
    bookInitialMinor[book] = 0;
    bookOptions[book] = 0;
    bookValued[book] = false;
    bookBySlot[slot] = book;
    return book;
  }

  /** Appends a position row to a book. */
  void addPosition(int book, int instrument, long quantityMinor, long costMinor, boolean option) {
    if (positions == positionBook.length) {
      growPositions(positions * 2);
    }
    int row = positions++;
    positionBook[row] = book;
    positionInstrument[row] = instrument;
    positionQuantityMinor[row] = quantityMinor;
    positionCostMinor[row] = costMinor;
    positionPrevious[row] = -1;
    positionNext[row] = bookHead[book];
    if (bookHead[book] >= 0) {
      positionPrevious[bookHead[book]] = row;
    }
    bookHead[book] = row;
    if (option) {
      bookOptions[book]++;
    } else {
      bookNetPerpetualMinor[book] += quantityMinor;
    }
  }

  /** Removes a book and all its positions (the caller has taken its values out of the totals). */
  void removeBook(int book) {
    while (bookHead[book] >= 0) {
      removePosition(bookHead[book]);
    }
    int last = --books;
    bookBySlot[bookSlot[book]] = -1;
    if (book != last) {
      bookSlot[book] = bookSlot[last];
      bookHead[book] = bookHead[last];
      bookNetPerpetualMinor[book] = bookNetPerpetualMinor[last];
      bookValueMinor[book] = bookValueMinor[last];
      bookMaintenanceMinor[book] = bookMaintenanceMinor[last];
      bookInitialMinor[book] = bookInitialMinor[last];
      bookOptions[book] = bookOptions[last];
      bookValued[book] = bookValued[last];
      bookBySlot[bookSlot[book]] = book;
      for (int row = bookHead[book]; row >= 0; row = positionNext[row]) {
        positionBook[row] = book;
      }
    }
    assert books >= 0 : "book count never negative";
  }

  private void removePosition(int row) {
    int book = positionBook[row];
    unlink(row, book);
    int last = --positions;
    if (row == last) {
      return;
    }
    positionBook[row] = positionBook[last];
    positionInstrument[row] = positionInstrument[last];
    positionQuantityMinor[row] = positionQuantityMinor[last];
    positionCostMinor[row] = positionCostMinor[last];
    positionNext[row] = positionNext[last];
    positionPrevious[row] = positionPrevious[last];
    if (positionPrevious[row] >= 0) {
      positionNext[positionPrevious[row]] = row;
    } else {
      bookHead[positionBook[row]] = row;
    }
    if (positionNext[row] >= 0) {
      positionPrevious[positionNext[row]] = row;
    }
  }

  private void unlink(int row, int book) {
    int previous = positionPrevious[row];
    int next = positionNext[row];
    if (previous >= 0) {
      positionNext[previous] = next;
    } else {
      bookHead[book] = next;
    }
    if (next >= 0) {
      positionPrevious[next] = previous;
    }
  }

  private void growPositions(int capacity) {
    positionBook = Arrays.copyOf(positionBook, capacity);
    positionInstrument = Arrays.copyOf(positionInstrument, capacity);
    positionQuantityMinor = Arrays.copyOf(positionQuantityMinor, capacity);
    positionCostMinor = Arrays.copyOf(positionCostMinor, capacity);
    positionNext = Arrays.copyOf(positionNext, capacity);
    positionPrevious = Arrays.copyOf(positionPrevious, capacity);
  }

  private void growBooks(int capacity) {
    bookSlot = Arrays.copyOf(bookSlot, capacity);
    bookHead = Arrays.copyOf(bookHead, capacity);
    bookNetPerpetualMinor = Arrays.copyOf(bookNetPerpetualMinor, capacity);
    bookValueMinor = Arrays.copyOf(bookValueMinor, capacity);
    bookMaintenanceMinor = Arrays.copyOf(bookMaintenanceMinor, capacity);
    bookInitialMinor = Arrays.copyOf(bookInitialMinor, capacity);
    bookOptions = Arrays.copyOf(bookOptions, capacity);
    bookValued = Arrays.copyOf(bookValued, capacity);
    bookScratchMinor = Arrays.copyOf(bookScratchMinor, capacity);
  }
}
